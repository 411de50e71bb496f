package web

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/gateway"
	"paygate/views"
)

func (s *Server) orders(c echo.Context) error {
	q := console.OrderQuery{
		Status: c.QueryParam("status"), Method: c.QueryParam("method"),
		From: c.QueryParam("from"), To: c.QueryParam("to"), Q: c.QueryParam("q"), Page: c.QueryParam("page"),
	}
	f, page, err := gateway.ParseOrderQuery(q)
	if err != nil {
		return err
	}
	list, total, err := s.gw.Orders(c.Request().Context(), f)
	if err != nil {
		return err
	}
	params := url.Values{}
	for k, v := range map[string]string{"status": q.Status, "method": q.Method, "from": q.From, "to": q.To, "q": q.Q} {
		if v != "" {
			params.Set(k, v)
		}
	}
	d := views.OrdersData{Query: q, Params: params, Orders: list, Total: total, Page: page,
		Any: total > 0 || len(params) > 0}
	if page.Number > 1 {
		d.Params.Set("page", q.Page)
	}
	if isHTMX(c) {
		return s.render(c, http.StatusOK, views.OrdersList(d))
	}
	return s.render(c, http.StatusOK, views.OrdersPage(s.meta(c, tr(c, "订单", "Orders"), "orders"), d))
}

func (s *Server) order(c echo.Context) error {
	t, err := s.gw.OrderTimeline(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if isHTMX(c) {
		if t.Order.Status == app.OrderPending || t.Order.Status == app.OrderExpired {
			return s.render(c, http.StatusOK, views.OrderDetail(t))
		}
		return s.render(c, http.StatusOK, templ.Join(views.OrderDetail(t), views.ManualPayGone()))
	}
	return s.render(c, http.StatusOK, views.OrderPage(s.meta(c, t.Order.ProductName, "orders"), t))
}

func (s *Server) closeOrderAdmin(c echo.Context) error {
	ctx := c.Request().Context()
	o, err := s.gw.CloseOrder(ctx, c.Param("id"), actor(c))
	if err != nil {
		return err
	}
	t, err := s.gw.OrderTimeline(ctx, o.ID)
	if err != nil {
		return err
	}
	return s.renderWithToast(c, templ.Join(views.OrderDetail(t), views.ManualPayGone()), tr(c, "订单已关闭。", "The order is closed."))
}

// payOrderByHand is the order page's 手动补单: pay the order with an
// unmatched payment the person picked (paymentId), or record money no phone
// reported (amount, method, receivedAt, note).
func (s *Server) payOrderByHand(c echo.Context) error {
	ctx := c.Request().Context()
	o, err := s.gw.Order(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if id := c.FormValue("paymentId"); id != "" {
		_, err = s.gw.ConfirmPayment(ctx, app.Settlement{PaymentID: id, OrderRef: o.ID, Why: "search", Note: c.FormValue("note")}, actor(c))
	} else {
		var m app.ManualPayment
		m, err = s.gw.ParseManualPayment(o, console.ManualPaymentForm{
			Amount: c.FormValue("amount"), Method: c.FormValue("method"), ReceivedAt: c.FormValue("receivedAt"), Note: c.FormValue("note"),
		})
		if err == nil {
			_, err = s.gw.RecordPayment(ctx, m, actor(c))
		}
	}
	if err != nil {
		return err
	}
	t, err := s.gw.OrderTimeline(ctx, o.ID)
	if err != nil {
		return err
	}
	return s.renderWithToast(c, templ.Join(views.OrderDetail(t), views.ManualPayGone()),
		tr(c, "已补单：订单已支付，正在通知商城。", "Settled by hand: the order is paid; telling the shop."))
}
