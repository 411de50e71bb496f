package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app/gateway"
	"paygate/views"
)

func (s *Server) audit(c echo.Context) error {
	page, err := gateway.ParsePage(c.QueryParam("page"), "50")
	if err != nil {
		return err
	}
	list, total, err := s.gw.AuditLog(c.Request().Context(), page)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.AuditPage(s.meta(c, tr(c, "操作记录", "Activity"), "audit"),
		views.AuditData{Entries: list, Total: total, Page: page}))
}
