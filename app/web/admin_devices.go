package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/app/qr"
	"paygate/views"
)

// registerDevices adds the forwarder devices pages.
func (s *Server) registerDevices(g *echo.Group) {
	g.GET("/devices", s.devices)
	g.POST("/devices", s.addDevice)
	g.GET("/devices/:id/pair", s.devicePairing)
	g.POST("/devices/:id/rename", s.renameDevice)
	g.POST("/devices/:id/rotate-key", s.rotateDeviceKeyAdmin)
	g.POST("/devices/:id/delete", s.deleteDeviceAdmin)
	g.POST("/devices/api-key-forwarding", s.setAPIKeyForwarding)
}

func (s *Server) devices(c echo.Context) error {
	return s.devicesPage(c, 0, "")
}

// devicesPage renders the page; shown is a device whose pairing code is open.
func (s *Server) devicesPage(c echo.Context, shown int64, toast string) error {
	ctx := c.Request().Context()
	page, err := gateway.ParsePage(c.QueryParam("page"), "")
	if err != nil {
		return err
	}
	outcome := c.QueryParam("outcome")
	switch app.NotificationOutcome(outcome) {
	case "", app.OutcomePayment, app.OutcomeIgnored, app.OutcomeDuplicate, app.OutcomeRefused, app.OutcomeInvalid, app.OutcomeError:
	default:
		return app.NewError(app.EINVALID, "outcome", "通知结果只能是 payment、ignored、duplicate、refused、invalid 或 error。",
			"The outcome must be payment, ignored, duplicate, refused, invalid or error.")
	}
	list, err := s.gw.Devices(ctx)
	if err != nil {
		return err
	}
	notes, total, err := s.gw.Notifications(ctx, app.NotificationFilter{Outcome: outcome, Offset: page.Offset(), Limit: page.Limit, CountCap: app.ListCountCap})
	if err != nil {
		return err
	}
	storage, err := s.gw.NotificationStorage(ctx)
	if err != nil {
		return err
	}
	d := views.DevicesData{Devices: list, Pairing: s.reach(c), Shown: shown, Notifications: notes, Total: total,
		Page: page, Params: url.Values{}, Outcome: outcome, Forwarding: s.gw.APIKeyForwarding(), Storage: storage}
	if outcome != "" {
		d.Params.Set("outcome", outcome)
	}
	for _, dev := range list {
		// A pairing code is drawn only on an address a phone can open.
		if dev.ID == shown && !d.Pairing.Local() {
			if d.ShownQR, err = qr.SVG(d.Pairing.Host() + "/" + dev.Key); err != nil {
				return err
			}
		}
	}
	page1 := views.DevicesPage(s.meta(c, tr(c, "设备", "Devices"), "devices"), d)
	if toast != "" && isHTMX(c) {
		return s.renderWithToast(c, page1, toast)
	}
	return s.render(c, http.StatusOK, page1)
}

func (s *Server) addDevice(c echo.Context) error {
	d, err := s.gw.CreateDevice(c.Request().Context(), c.FormValue("name"), actor(c))
	if err != nil {
		return err
	}
	return s.devicesPage(c, d.ID, tr(c, "设备已添加：用手机扫描下面的配对码。", "Device added: scan the pairing code below with the phone."))
}

func (s *Server) deviceCard(c echo.Context, d app.Device, shown bool) error {
	p := s.reach(c)
	svg := ""
	if shown && !d.UsesAPIKey && !p.Local() {
		var err error
		if svg, err = qr.SVG(p.Host() + "/" + d.Key); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, views.DeviceCard(d, p, shown, svg))
}

func (s *Server) devicePairing(c echo.Context) error {
	id, err := pathID(c, "deviceId")
	if err != nil {
		return err
	}
	d, err := s.gw.Device(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.deviceCard(c, d, true)
}

func (s *Server) renameDevice(c echo.Context) error {
	id, err := pathID(c, "deviceId")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.gw.RenameDevice(ctx, id, c.FormValue("name"), actor(c)); err != nil {
		return err
	}
	d, err := s.gw.Device(ctx, id)
	if err != nil {
		return err
	}
	return s.deviceCard(c, d, false)
}

func (s *Server) rotateDeviceKeyAdmin(c echo.Context) error {
	id, err := pathID(c, "deviceId")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.gw.RotateDeviceKey(ctx, id, actor(c)); err != nil {
		return err
	}
	d, err := s.gw.Device(ctx, id)
	if err != nil {
		return err
	}
	return s.deviceCard(c, d, true)
}

func (s *Server) deleteDeviceAdmin(c echo.Context) error {
	id, err := pathID(c, "deviceId")
	if err != nil {
		return err
	}
	if err := s.gw.DeleteDevice(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return s.renderWithToast(c, nopDeleted(id), tr(c, "设备 #"+strconv.FormatInt(id, 10)+" 已删除。", "Device #"+strconv.FormatInt(id, 10)+" deleted."))
}

// nopDeleted is what replaces a deleted device's card: nothing.
func nopDeleted(int64) templ.Component { return templ.NopComponent }

// setAPIKeyForwarding switches the merchant API key as a phone key on or off.
func (s *Server) setAPIKeyForwarding(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.gw.SetAPIKeyForwarding(ctx, c.FormValue("accept"), actor(c)); err != nil {
		return err
	}
	list, err := s.gw.Devices(ctx)
	if err != nil {
		return err
	}
	f := s.gw.APIKeyForwarding()
	msg := tr(c, "已改为只接受设备密钥：用商户 API 密钥转发的手机会被拒绝。", "Device keys only: phones forwarding with the merchant API key are now refused.")
	if f.On {
		msg = tr(c, "商户 API 密钥又可以当手机密钥用了。", "The merchant API key works as a phone key again.")
	}
	return s.renderWithToast(c, views.APIKeyForwardingCard(f, list), msg)
}
