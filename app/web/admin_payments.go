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
		if d.UnmatchedTotal, err = s.gw.UnmatchedTotal(ctx); err != nil {
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
			"收款状态只能是 unmatched（待处理）、all（全部）、success（已匹配）或 ignored（已忽略）。", "The payment status must be unmatched, all, success or ignored.")
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
	p, err := s.gw.ConfirmPayment(c.Request().Context(), app.Settlement{
		PaymentID: c.Param("id"), OrderRef: c.FormValue("orderId"), Why: c.FormValue("why"), Note: c.FormValue("note"),
	}, actor(c))
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.PaymentDone(p), tr(c, "已确认：订单 "+p.OrderID+" 已支付，正在通知商城。", "Confirmed: order "+p.OrderID+" is paid; telling the shop."))
}

func (s *Server) ignorePaymentAdmin(c echo.Context) error {
	p, err := s.gw.IgnorePayment(c.Request().Context(), c.Param("id"), c.FormValue("note"), actor(c))
	if err != nil {
		return err
	}
	return s.renderWithToast(c, views.PaymentDone(p), tr(c, "已忽略这笔收款。", "The payment is ignored."))
}

// searchForPayment answers an unmatched card's search box: the orders the
// payment may still pay that match what the person typed.
func (s *Server) searchForPayment(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.gw.Payment(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	found, err := s.gw.SearchOrdersFor(ctx, p.ID, c.QueryParam("q"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.SearchResults(p, found))
}

func (s *Server) resendCallbackAdmin(c echo.Context) error {
	if err := s.gw.ResendCallback(c.Request().Context(), c.Param("id"), actor(c)); err != nil {
		return err
	}
	return s.renderWithToast(c, templ.NopComponent, tr(c, "已重新排队通知商城，马上发送。刷新页面查看结果。", "The shop notification is queued again and goes out shortly. Reload to see the result."))
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
