package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/views"
)

// registerDevices adds the forwarder devices pages.
func (s *Server) registerDevices(g *echo.Group) {
	g.GET("/devices", s.devices)
}

func (s *Server) devices(c echo.Context) error {
	return s.render(c, http.StatusOK, views.DevicesPage(s.meta(c, tr(c, "设备", "Devices"), "devices")))
}
