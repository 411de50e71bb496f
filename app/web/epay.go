package web

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/epay"
	"paygate/views"
)

// 易支付 (epay) compatibility, so shop software that speaks 彩虹易支付
// (独角数卡 and many others) plugs in unchanged:
//
//	/submit.php  browser form (GET or POST) → 302 to the checkout page /pay/{orderId}
//	/mapi.php    server to server → {"code":1,"trade_no","payurl","qrcode",…} or {"code":-1,"msg"}
//	/api.php     act=order (one order, by pid + key) and act=query (the merchant)
//
// As 彩虹易支付 does, mapi.php and api.php answer HTTP 200 with code -1 and a
// Chinese msg when the request is wrong (clients read the JSON, and some HTTP
// libraries throw on a 4xx before the shop can show the message); only a
// failure of paygate itself is a 5xx. submit.php shows a readable page.

// registerEpay adds the 易支付 endpoints, rate limited per client IP like the API.
func (s *Server) registerEpay(e *echo.Echo, limited echo.MiddlewareFunc) {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		e.Add(m, "/submit.php", s.epaySubmit, limited, s.securityHeaders)
		e.Add(m, "/mapi.php", s.epayMAPI, limited)
		e.Add(m, "/api.php", s.epayAPI, limited)
	}
}

func isEpayPath(p string) bool { return p == "/submit.php" || p == "/mapi.php" || p == "/api.php" }

// epayParams are the request's parameters as 彩虹易支付 reads them: the query
// or the body (form, multipart or JSON), see epay.ParamsInQuery.
func (s *Server) epayParams(c echo.Context) (map[string]string, error) {
	q := c.QueryParams()
	r := c.Request()
	if epay.ParamsInQuery(r.Method, q) {
		return epay.LastValues(q), nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	switch mediaType {
	case echo.MIMEApplicationJSON:
		return s.readFields(c)
	case echo.MIMEMultipartForm:
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.opts.MaxBodySize)
		if err := r.ParseMultipartForm(s.opts.MaxBodySize); err != nil {
			return nil, errEpayBody(err)
		}
		return epay.LastValues(r.MultipartForm.Value), nil
	}
	body, err := s.readBody(c)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errEpayBody(err)
	}
	return epay.LastValues(form), nil
}

func errEpayBody(err error) error {
	if strings.Contains(err.Error(), "too large") {
		return errTooLarge()
	}
	return app.NewError(app.EINVALID, "body",
		"请求参数无法解析（"+err.Error()+"）：请用 GET 查询参数或 application/x-www-form-urlencoded 表单发送。",
		"The parameters cannot be read ("+err.Error()+"): send them as a GET query or an application/x-www-form-urlencoded form.")
}

// epaySubmit: the shop's browser form → the checkout page. A repeat of an
// order that can no longer be paid (paid, closed, or expired longer ago than
// epay.reopen_within) goes to the checkout page too, which shows its state,
// what to do and how to reach the shop — never a dead end for the payer.
func (s *Server) epaySubmit(c echo.Context) error {
	p, err := s.epayParams(c)
	if err != nil {
		return err
	}
	o, _, _, err := s.gw.EpayCreate(c.Request().Context(), epay.ReadCreate(p, c.RealIP()))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.Redirect(http.StatusFound, s.payURL(c, o.ID))
}

// epayCreated is mapi.php's answer. qrcode is the checkout page's URL, like
// payurl, not the 收款码's own content: a personal 收款码 carries no amount,
// and the payer must see the exact amount to pay (which may be adjusted by a
// few fen so that paygate can tell concurrent orders apart) — the checkout
// page shows both. A shop that draws qrcode as a QR code sends the payer's
// phone to that page.
type epayCreated struct {
	Code       int    `json:"code"`
	Msg        string `json:"msg"`
	TradeNo    string `json:"trade_no"`
	OutTradeNo string `json:"out_trade_no"`
	PayURL     string `json:"payurl"`
	QRCode     string `json:"qrcode"`
	Type       string `json:"type"`
	Money      string `json:"money"`     // as the shop sent it
	RealMoney  string `json:"realmoney"` // what the payer must pay, e.g. "10.01"
	ExpiresAt  string `json:"expires_at"`
}

func (s *Server) epayMAPI(c echo.Context) error {
	p, err := s.epayParams(c)
	if err != nil {
		return err
	}
	o, e, created, err := s.gw.EpayCreate(c.Request().Context(), epay.ReadCreate(p, c.RealIP()))
	if err != nil {
		return err
	}
	if err := epay.Payable(o, e); err != nil {
		return err
	}
	msg := "订单创建成功"
	if !created {
		msg = "订单已存在（相同的 out_trade_no），返回原订单"
	}
	u := s.payURL(c, o.ID)
	return c.JSON(http.StatusOK, epayCreated{
		Code: 1, Msg: msg, TradeNo: o.ID, OutTradeNo: e.OutTradeNo, PayURL: u, QRCode: u,
		Type: e.Type, Money: e.Money, RealMoney: o.PayAmount.Fixed2(), ExpiresAt: app.FormatTime(o.ExpiresAt),
	})
}

// epayOrderView is api.php?act=order's answer, fields as 彩虹易支付's.
type epayOrderView struct {
	Code       int         `json:"code"`
	Msg        string      `json:"msg"`
	TradeNo    string      `json:"trade_no"`
	OutTradeNo string      `json:"out_trade_no"`
	APITradeNo string      `json:"api_trade_no"` // the payment that paid it
	Type       string      `json:"type"`
	PID        json.Number `json:"pid"`
	AddTime    string      `json:"addtime"`
	EndTime    *string     `json:"endtime"`
	Name       string      `json:"name"`
	Money      string      `json:"money"`     // the order's amount as the shop sent it
	RealMoney  string      `json:"realmoney"` // what the payer was asked to pay
	Param      string      `json:"param"`
	Buyer      string      `json:"buyer"`
	Status     int         `json:"status"` // 1 paid, 0 not (yet)
}

func (s *Server) epayAPI(c echo.Context) error {
	p, err := s.epayParams(c)
	if err != nil {
		return err
	}
	req, err := epay.ReadAPI(p, c.QueryParam("act"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	switch req.Act {
	case epay.ActOrder:
		o, e, pid, err := s.gw.EpayQuery(ctx, req)
		if err != nil {
			return err
		}
		v := epayOrderView{Code: 1, Msg: "查询订单号成功！", TradeNo: o.ID, APITradeNo: o.PaymentID, PID: json.Number(pid),
			AddTime: app.FormatTime(o.CreatedAt), RealMoney: o.PayAmount.Fixed2()}
		if e != nil {
			v.OutTradeNo, v.Type, v.Name, v.Money, v.Param = e.OutTradeNo, e.Type, e.Name, e.Money, e.Param
			v.PID = json.Number(e.PID)
		} else {
			// An order made through the REST API, asked for by its trade_no.
			v.OutTradeNo, v.Name, v.Money, v.Param = o.MerchantOrderID, o.ProductName, o.Amount.Fixed2(), o.Attach
			v.Type = map[app.Method]string{app.MethodAlipay: "alipay", app.MethodWechat: "wxpay"}[o.Method]
		}
		if o.Status == app.OrderSuccess {
			v.Status = 1
			end := app.FormatTime(o.PaidAt)
			v.EndTime = &end
		}
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return c.JSON(http.StatusOK, v)
	default: // epay.ActQuery
		m, err := s.gw.EpayMerchantInfo(ctx, req)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return c.JSON(http.StatusOK, map[string]any{
			"code": 1, "msg": "查询商户信息成功！", "pid": json.Number(m.PID), "key": m.Key, "active": 1, "money": "0.00",
			"orders": m.Orders, "orders_today": m.Today, "orders_lastday": m.Yesterday,
		})
	}
}

// renderEpayError answers a failed 易支付 request in the protocol's shape:
// a page for the browser (submit.php), else {"code":-1,"msg":…} with HTTP 200
// unless paygate itself failed.
func (s *Server) renderEpayError(c echo.Context, status int, err error) {
	if c.Request().URL.Path == "/submit.php" {
		_ = s.renderEpayPage(c, status, err)
		return
	}
	if status < 500 {
		status = http.StatusOK
	}
	_ = c.JSON(status, map[string]any{"code": -1, "msg": app.ErrorMessage(err, "zh")})
}

func (s *Server) renderEpayPage(c echo.Context, status int, err error) error {
	return s.render(c, status, views.EpayErrorPage(app.ErrorMessage(err, "zh"), app.ErrorMessage(err, "en")))
}
