package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app/gateway"
)

func (s *Server) updateConfig(c echo.Context) error {
	f, err := s.requestFields(c)
	if err != nil {
		return err
	}
	err = s.gw.UpdateSettings(c.Request().Context(), gateway.ConfigRequest{
		APIKey:      f.ptr("apiKey"),
		CallbackURL: f.ptr("callbackUrl"),
		Name:        f.ptr("name"),
		Description: f.ptr("description"),
		EpayPID:     f.ptr("epayPid"),
	}, "api")
	if err != nil {
		return err
	}
	msg := map[string]string{"zh": "配置更新成功", "en": "Settings updated"}[language(c)]
	return c.JSON(http.StatusOK, map[string]any{"success": true, "message": msg})
}
