package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/views"
)

func (s *Server) dashboard(c echo.Context) error {
	d, err := s.gw.Dashboard(c.Request().Context())
	if err != nil {
		return err
	}
	if isHTMX(c) {
		return s.render(c, http.StatusOK, views.DashboardBody(d))
	}
	return s.render(c, http.StatusOK, views.DashboardPage(s.meta(c, tr(c, "概览", "Overview"), "dashboard"), d))
}
