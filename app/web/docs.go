package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/views"
)

// docs is the API reference, /docs: public, filled in with this paygate's
// address and 易支付 pid, never with its key; it links to the settings page,
// where the signed-in admin can reveal the key (the session cookie is scoped
// to /admin, so this page cannot tell who reads it, and need not).
func (s *Server) docs(c echo.Context) error {
	st, err := s.gw.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.DocsPage(views.DocsData{
		BaseURL: s.baseURL(c), PID: st.PID(), CSRF: csrfToken(c),
	}))
}
