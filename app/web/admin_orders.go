package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

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
		return s.render(c, http.StatusOK, views.OrderDetail(t))
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
	return s.renderWithToast(c, views.OrderDetail(t), tr(c, "订单已关闭。", "The order is closed."))
}
