package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/qr"
	"paygate/views"
)

// registerConnect adds the pages that get the owner connected and keep
// them so: the dashboard's checklist block, the step-by-step guide, the
// devices' live states, the public address and the check from outside,
// and the alerts page.
func (s *Server) registerConnect(g *echo.Group) {
	g.GET("/connect/panel", s.connectPanel)
	g.GET("/guide", s.guideStart)
	g.GET("/guide/pay-qr", s.guidePayQR)
	g.GET("/guide/phone", s.guidePhone)
	g.POST("/guide/phone", s.guideAddPhone)
	g.GET("/guide/phone/:id", s.guideDevice)
	g.GET("/guide/phone/:id/heard", s.guideHeard)
	g.GET("/devices/live", s.devicesLive)
	g.POST("/settings/address", s.saveAddress)
	g.POST("/reach/check", s.startReachCheck)
	g.GET("/reach/check/:token", s.reachCheckStatus)
	s.registerAlerts(g)
}

// connectPanel is the dashboard's block: checklist, open alerts.
func (s *Server) connectPanel(c echo.Context) error {
	p, err := s.gw.ConnectPanel(c.Request().Context(), s.requestBase(c))
	if err != nil {
		return err
	}
	if s.opts.PublicURL != "" {
		p.Reach = s.reach(c)
	}
	return s.render(c, http.StatusOK, views.ConnectPanel(p))
}

// guideStart sends the owner to the first step not done yet.
func (s *Server) guideStart(c echo.Context) error {
	cl, err := s.gw.SetupChecklist(c.Request().Context())
	if err != nil {
		return err
	}
	switch {
	case !cl.PayQR:
		return c.Redirect(http.StatusSeeOther, "/admin/guide/pay-qr")
	case !cl.Paired || !cl.Heard():
		return c.Redirect(http.StatusSeeOther, "/admin/guide/phone")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/links")
}

func (s *Server) guidePayQR(c echo.Context) error {
	ctx := c.Request().Context()
	qrs, err := s.gw.PayQRs(ctx)
	if err != nil {
		return err
	}
	amounts, err := s.gw.PayQRAmounts(ctx)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.GuidePayQRPage(s.meta(c, tr(c, "上传收款码", "Upload your 收款码"), "dashboard"),
		views.PayQRData{QRs: qrs, Amounts: amounts, Tuning: s.gw.Tuning()}))
}

func (s *Server) guidePhone(c echo.Context) error {
	list, err := s.gw.Devices(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.GuidePhonePage(s.meta(c, tr(c, "配对手机", "Pair the phone"), "devices"),
		views.GuidePhoneData{Devices: list, Reach: s.reach(c)}))
}

// guideAddPhone adds the phone and goes on to its step-by-step page.
func (s *Server) guideAddPhone(c echo.Context) error {
	appName := guideApp(c.FormValue("app"))
	d, err := s.gw.CreateDevice(c.Request().Context(), c.FormValue("name"), actor(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/guide/phone/"+strconv.FormatInt(d.ID, 10)+"?app="+appName)
}

// guideApp is vmq or smsf: the two forwarder apps the guide knows.
func guideApp(a string) string {
	if a == "smsf" {
		return a
	}
	return "vmq"
}

func (s *Server) guideDevice(c echo.Context) error {
	id, err := pathID(c, "deviceId")
	if err != nil {
		return err
	}
	h, err := s.gw.DeviceHeard(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if h.Device.UsesAPIKey {
		return app.NewError(app.ECONFLICT, "deviceId", "这台设备用商户 API 密钥转发，没有自己的密钥：请添加一台新手机再按向导设置。",
			"This device forwards with the merchant API key and has no key of its own: add a new phone and follow the guide with it.")
	}
	d := views.GuideDeviceData{App: guideApp(c.QueryParam("app")), Heard: h, Reach: s.reach(c)}
	// The pairing code is drawn only on an address a phone can open.
	if !d.Reach.Local() {
		if d.QR, err = qr.SVG(d.Reach.Host() + "/" + h.Device.Key); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, views.GuideDevicePage(s.meta(c, h.Device.Name, "devices"), d))
}

// guideHeard is the guide page's live "received" line.
func (s *Server) guideHeard(c echo.Context) error {
	id, err := pathID(c, "deviceId")
	if err != nil {
		return err
	}
	h, err := s.gw.DeviceHeard(c.Request().Context(), id)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return s.render(c, http.StatusOK, nopDeleted(id)) // deleted meanwhile: the line goes, and stops asking
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.DeviceHeardBlock(h, guideApp(c.QueryParam("app"))))
}

// devicesLive is every device's state, swapped in out of band on the devices page.
func (s *Server) devicesLive(c echo.Context) error {
	list, err := s.gw.Devices(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.DeviceStates(list))
}
