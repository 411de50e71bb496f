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
	s.registerEpayV2(e, limited)
}

func isEpayPath(p string) bool {
	return p == "/submit.php" || p == "/mapi.php" || p == "/api.php" || isEpayV2Path(p)
}

// isEpaySubmitPath: the browser's endpoints, which answer with pages.
func isEpaySubmitPath(p string) bool { return p == "/submit.php" || p == "/api/pay/submit" }

// epayParams are the request's parameters as 彩虹易支付 reads them: the query
// or the body (form, multipart or JSON), see epay.ParamsInQuery.
func (s *Server) epayParams(c echo.Context) (map[string]string, error) {
	q := c.QueryParams()
	r := c.Request()
	if epay.ParamsInQuery(r.Method, q) {
		return epay.LastValues(q), nil
	}
	return s.epayBodyParams(c)
}

// epayBodyParams are the parameters in the request's body: a form,
// multipart or JSON; none for a request without a body.
func (s *Server) epayBodyParams(c echo.Context) (map[string]string, error) {
	r := c.Request()
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
func (s *Server) epaySubmit(c echo.Context) error { return s.submitEpayOrder(c, epay.ReadCreate) }

// submitEpayOrder is submit.php and /api/pay/submit: the request read by read.
func (s *Server) submitEpayOrder(c echo.Context, read func(map[string]string, string) epay.CreateRequest) error {
	p, err := s.epayParams(c)
	if err != nil {
		return err
	}
	o, _, _, err := s.gw.EpayCreate(c.Request().Context(), read(p, c.RealIP()))
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

// epayOrderView is api.php?act=order's answer, fields as 彩虹易支付's: an
// empty column is null there (its V1 answer does not filter them), and code,
// pid and status are JSON numbers — as PHP 8.1+ servers send them and as
// popdo/go-epay's V1QueryOrder (Status int) and the documentation (Int) need.
// The issue asked for pid and status as strings; older PHP (7.4, 8.0) did
// send strings, but a Go client fails on them and PHP clients compare
// loosely, so numbers it is.
type epayOrderView struct {
	Code        int         `json:"code"`
	Msg         string      `json:"msg"`
	TradeNo     string      `json:"trade_no"`
	OutTradeNo  string      `json:"out_trade_no"`
	APITradeNo  *string     `json:"api_trade_no"`  // the payment that paid it
	BillTradeNo *string     `json:"bill_trade_no"` // always null: no channel bill number
	Type        string      `json:"type"`
	PID         json.Number `json:"pid"`
	AddTime     string      `json:"addtime"`
	EndTime     *string     `json:"endtime"`
	Name        string      `json:"name"`
	Money       string      `json:"money"`     // the order's amount as the shop sent it
	RealMoney   string      `json:"realmoney"` // what the payer was asked to pay
	Param       *string     `json:"param"`
	Buyer       *string     `json:"buyer"`  // always null: a 收款码 notification names no payer account
	Status      int         `json:"status"` // 1 paid, 0 not (yet)
	PayURL      *string     `json:"payurl"` // the checkout page while the order can be paid, else null
}

// orNull is s, or null when it is empty.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
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
		v := epayOrderView{Code: epay.CodeV1OK, Msg: "查询订单号成功！", TradeNo: o.ID, APITradeNo: orNull(o.PaymentID), PID: json.Number(pid),
			AddTime: app.FormatTime(o.CreatedAt), RealMoney: o.PayAmount.Fixed2()}
		if e != nil {
			v.OutTradeNo, v.Type, v.Name, v.Money, v.Param = e.OutTradeNo, e.Type, e.Name, e.Money, orNull(e.Param)
			v.PID = json.Number(e.PID)
		} else {
			// An order made through the REST API, asked for by its trade_no.
			v.OutTradeNo, v.Name, v.Money, v.Param = o.MerchantOrderID, o.ProductName, o.Amount.Fixed2(), orNull(o.Attach)
			v.Type = epay.MethodType(o.Method)
		}
		switch {
		case o.Status == app.OrderSuccess:
			v.Status = 1
			v.EndTime = orNull(app.FormatTime(o.PaidAt))
		case o.Status == app.OrderPending && s.gw.Now().Before(o.ExpiresAt):
			v.PayURL = orNull(s.payURL(c, o.ID))
		}
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return c.JSON(http.StatusOK, v)
	case epay.ActRefund:
		return s.gw.EpayRefund(ctx, req)
	default: // epay.ActQuery
		m, err := s.gw.EpayMerchantInfo(ctx, req)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		// As 彩虹易支付 counts them: orders is every order, orders_today and
		// orders_lastday the orders paid on those (Shanghai) days; the
		// documentation's names order_today and order_lastday are sent too.
		// money is the merchant's balance there; paygate holds no balance
		// (the money is in the owner's own Alipay/WeChat), so it is what the
		// paid orders brought in, all time — the closest figure it has.
		return c.JSON(http.StatusOK, map[string]any{
			"code": epay.CodeV1OK, "msg": "查询商户信息成功！", "pid": json.Number(m.PID), "key": m.Key, "active": 1,
			"money": m.Received.Fixed2(), "orders": m.Orders,
			"orders_today": m.PaidToday, "orders_lastday": m.PaidYesterday,
			"order_today": m.PaidToday, "order_lastday": m.PaidYesterday,
		})
	}
}

// renderEpayError answers a failed 易支付 request in the protocol's shape:
// a page for the browser (submit.php, /api/pay/submit), else
// {"code":<negative>,"msg":…} (-1 unless the error carries another code, see
// epay.Code) with HTTP 200 unless paygate itself failed.
func (s *Server) renderEpayError(c echo.Context, status int, err error) {
	if isEpaySubmitPath(c.Request().URL.Path) {
		_ = s.renderEpayPage(c, status, err)
		return
	}
	if status < 500 {
		status = http.StatusOK
	}
	_ = c.JSON(status, map[string]any{"code": epay.Code(err), "msg": app.ErrorMessage(err, "zh")})
}

func (s *Server) renderEpayPage(c echo.Context, status int, err error) error {
	return s.render(c, status, views.EpayErrorPage(app.ErrorMessage(err, "zh"), app.ErrorMessage(err, "en")))
}
