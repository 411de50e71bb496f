package web

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/views"
)

func (s *Server) payments(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := gateway.ParsePage(c.QueryParam("page"), "")
	if err != nil {
		return err
	}
	d := views.PaymentsData{Tab: c.QueryParam("status"), Page: page, Params: url.Values{}}
	switch d.Tab {
	case "", "unmatched":
		d.Tab = "unmatched"
		page.Limit = 10
		d.Page = page
		if d.Unmatched, d.Total, err = s.gw.Unmatched(ctx, page); err != nil {
			return err
		}
	case "all", string(app.PaymentMatched), string(app.PaymentIgnored):
		d.Params.Set("status", d.Tab)
		status := app.PaymentStatus(d.Tab)
		if d.Tab == "all" {
			status = ""
		}
		if d.Payments, d.Total, err = s.gw.PaymentsForConsole(ctx, status, page); err != nil {
			return err
		}
	default:
		return app.NewError(app.EINVALID, "status",
			"收款状态只能是 unmatched、all、success 或 ignored。", "The payment status must be unmatched, all, success or ignored.")
	}
	return s.render(c, http.StatusOK, views.PaymentsPage(s.meta(c, tr(c, "收款", "Payments"), "payments"), d))
}

func (s *Server) payment(c echo.Context) error {
	d, err := s.gw.PaymentDetail(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.PaymentPage(s.meta(c, tr(c, "收款 ", "Payment ")+d.Payment.Amount.Fixed2(), "payments"), d))
}

func (s *Server) confirmPaymentAdmin(c echo.Context) error {
	p, err := s.gw.ConfirmPayment(c.Request().Context(), c.Param("id"), c.FormValue("orderId"), actor(c))
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.PaymentDone(p), tr(c, "已确认：订单 "+p.OrderID+" 已支付，正在回调商户。", "Confirmed: order "+p.OrderID+" is paid; calling the shop back."))
}

func (s *Server) ignorePaymentAdmin(c echo.Context) error {
	p, err := s.gw.IgnorePayment(c.Request().Context(), c.Param("id"), actor(c))
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.PaymentDone(p), tr(c, "已忽略这笔收款。", "The payment is ignored."))
}

func (s *Server) resendCallbackAdmin(c echo.Context) error {
	if err := s.gw.ResendCallback(c.Request().Context(), c.Param("id"), actor(c)); err != nil {
		return err
	}
	return s.renderWithToast(c, templ.NopComponent, tr(c, "回调已重新排队，马上发送。刷新页面查看结果。", "The callback is queued again and goes out shortly. Reload to see the result."))
}

// renderWithToast answers an htmx action with the changed part and a
// success message; a plain form post goes back to the page it came from.
func (s *Server) renderWithToast(c echo.Context, comp templ.Component, msg string) error {
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, localPath(refererPath(c), "/admin/"))
	}
	return s.render(c, http.StatusOK, templ.Join(comp, views.ToastOOB(msg)))
}

func refererPath(c echo.Context) string {
	u, err := url.Parse(c.Request().Referer())
	if err != nil || (u.Host != "" && u.Host != c.Request().Host) {
		return ""
	}
	return u.RequestURI()
}
