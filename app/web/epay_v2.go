package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/epay"
)

// 彩虹易支付 V2 (its /api/<class>/<func> interface), so shop software and
// SDKs that speak only V2 (the official SDK_2.0 EpayCore with
// platform_public_key, popdo/go-epay's V2 calls) plug in unchanged:
//
//	/api/pay/submit   browser form (GET or POST) → 302 to the checkout page
//	/api/pay/create   {"code":0,"trade_no","pay_type":"jump","pay_info":<checkout page>,…signed}
//	/api/pay/query    the order, signed
//	/api/pay/refund   {"code":-1,"msg":"不支持自动退款…"}
//
// Every answer is HTTP 200 JSON (errors {"code":<negative>,"msg"}, unsigned)
// except submit's, which are pages. create, query and refund read the POST
// body only, as 彩虹易支付's do.

// registerEpayV2 adds the V2 endpoints. Its other classes answer the way
// 彩虹易支付 answers a method paygate has no use for.
func (s *Server) registerEpayV2(e *echo.Echo, limited echo.MiddlewareFunc) {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		e.Add(m, "/api/pay/:func", s.epayV2Pay, limited)
		e.Add(m, "/api/merchant/:func", s.epayV2Other, limited)
		e.Add(m, "/api/transfer/:func", s.epayV2Other, limited)
	}
}

func isEpayV2Path(p string) bool {
	for _, prefix := range []string{"/api/pay/", "/api/merchant/", "/api/transfer/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

func (s *Server) epayV2Pay(c echo.Context) error {
	switch c.Param("func") {
	case "submit":
		return s.securityHeaders(func(c echo.Context) error { return s.submitEpayOrder(c, epay.ReadCreateV2) })(c)
	case "create":
		return s.epayV2Create(c)
	case "query":
		return s.epayV2Query(c)
	case "refund":
		return s.epayV2Refund(c)
	case "refundquery", "close":
		return errEpayV2Unsupported(c)
	}
	return errEpayV2NoMethod(c)
}

// epayV2Other: api/merchant/* and api/transfer/* exist in 彩虹易支付 but
// mean nothing for a personal 收款码.
func (s *Server) epayV2Other(c echo.Context) error {
	switch strings.TrimPrefix(c.Request().URL.Path, "/api/") {
	case "merchant/info", "merchant/orders", "transfer/submit", "transfer/query", "transfer/balance":
		return errEpayV2Unsupported(c)
	}
	return errEpayV2NoMethod(c)
}

func (s *Server) epayV2Create(c echo.Context) error {
	p, err := s.epayBodyParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	o, e, _, err := s.gw.EpayCreate(ctx, epay.ReadCreateV2(p, c.RealIP()))
	if err != nil {
		return err
	}
	if err := epay.Payable(o, e); err != nil {
		return err
	}
	r, err := s.gw.EpayV2Sign(ctx, epay.CreatedResponse(o.ID, s.payURL(c, o.ID)))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, r)
}

func (s *Server) epayV2Query(c echo.Context) error {
	p, err := s.epayBodyParams(c)
	if err != nil {
		return err
	}
	r, err := s.gw.EpayV2Query(c.Request().Context(), epay.ReadV2(p))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, r)
}

func (s *Server) epayV2Refund(c echo.Context) error {
	p, err := s.epayBodyParams(c)
	if err != nil {
		return err
	}
	return s.gw.EpayV2Refund(c.Request().Context(), epay.ReadV2(p))
}

func errEpayV2Unsupported(c echo.Context) error {
	path := c.Request().URL.Path
	return app.NewError(app.EINVALID, "",
		"不支持的接口 "+path+"：paygate 收的是个人收款码，只提供 /api/pay/submit、create、query（退款请在支付宝/微信里手动操作）。",
		"Unsupported endpoint "+path+": paygate takes personal 收款码 payments and offers /api/pay/submit, create and query only (refund by hand in Alipay/WeChat).")
}

func errEpayV2NoMethod(c echo.Context) error {
	path := c.Request().URL.Path
	return epay.WithCode(epay.CodeNoMethod, app.NewError(app.ENOTFOUND, "",
		"接口方法不存在："+path+"。易支付 V2 的接口是 /api/pay/submit、/api/pay/create、/api/pay/query 和 /api/pay/refund。",
		"No such method: "+path+". The 易支付 V2 endpoints are /api/pay/submit, /api/pay/create, /api/pay/query and /api/pay/refund."))
}
