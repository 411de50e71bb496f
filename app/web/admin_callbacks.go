package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"paygate/app/gateway"
	"paygate/views"
)

func (s *Server) callbacks(c echo.Context) error {
	page, err := gateway.ParsePage(c.QueryParam("page"), "")
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	list, total, err := s.gw.Callbacks(c.Request().Context(), status, page)
	if err != nil {
		return err
	}
	params := url.Values{}
	if status != "" {
		params.Set("status", status)
	}
	return s.render(c, http.StatusOK, views.CallbacksPage(s.meta(c, tr(c, "回调", "Callbacks"), "callbacks"),
		views.CallbacksData{Status: status, Callbacks: list, Total: total, Page: page, Params: params}))
}
