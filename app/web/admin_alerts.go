package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/console"
	"paygate/views"
)

// registerAlerts adds the alerts page: channels, their test button, quiet hours.
func (s *Server) registerAlerts(g *echo.Group) {
	g.GET("/alerts", s.alerts)
	g.POST("/alerts/channels", s.addAlertChannel)
	g.POST("/alerts/channels/:id/test", s.testAlertChannel)
	g.POST("/alerts/channels/:id/on", s.alertChannelOn)
	g.POST("/alerts/channels/:id/off", s.alertChannelOff)
	g.POST("/alerts/channels/:id/delete", s.deleteAlertChannel)
	g.POST("/alerts/quiet-hours", s.saveQuietHours)
}

func (s *Server) alerts(c echo.Context) error { return s.alertsPage(c, http.StatusOK, nil, "") }

// alertsPage renders the page; form and formErr show a refused new channel again.
func (s *Server) alertsPage(c echo.Context, status int, form *console.AlertChannelForm, toast string) error {
	d, err := s.gw.AlertsPage(c.Request().Context())
	if err != nil {
		return err
	}
	page := views.AlertsPage(s.meta(c, tr(c, "提醒", "Alerts"), "settings"), d)
	if toast != "" && isHTMX(c) {
		return s.renderWithToast(c, page, toast)
	}
	return s.render(c, status, page)
}

// alertForm reads the add-channel form: each kind's fields are named
// <kind>_<field>, so only the chosen kind's are read.
func alertForm(c echo.Context) console.AlertChannelForm {
	k := c.FormValue("kind")
	v := func(field string) string { return c.FormValue(k + "_" + field) }
	return console.AlertChannelForm{Kind: k, Name: c.FormValue("name"), URL: v("url"), Key: v("key"), Secret: v("secret"), ChatID: v("chat"),
		Host: v("host"), Username: v("username"), Password: v("password"), From: v("from"), To: v("to")}
}

func (s *Server) addAlertChannel(c echo.Context) error {
	f := alertForm(c)
	ch, err := s.gw.AddAlertChannel(c.Request().Context(), f, actor(c))
	if app.ErrorCode(err) == app.EINVALID && isHTMX(c) {
		// The message goes on the form, with what was typed kept (the password is not shown again).
		f.Password = ""
		c.Response().Header().Set("HX-Retarget", "#alert-add")
		c.Response().Header().Set("HX-Reselect", "#alert-add")
		return s.render(c, statusOf(app.EINVALID), views.AlertChannelFormSection(f, err))
	}
	if err != nil {
		return err
	}
	return s.alertsPage(c, http.StatusOK, nil, tr(c, "提醒渠道“"+ch.Name+"”已添加：点“发送测试”看看能不能收到。",
		"Alert channel “"+ch.Name+"” added: press “Send a test” to see that it arrives."))
}

func (s *Server) testAlertChannel(c echo.Context) error {
	id, err := pathID(c, "channelId")
	if err != nil {
		return err
	}
	res, err := s.gw.TestAlertChannel(c.Request().Context(), id, actor(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.AlertChannelCard(res.Channel, &res))
}

func (s *Server) alertChannelOn(c echo.Context) error  { return s.switchAlertChannel(c, true) }
func (s *Server) alertChannelOff(c echo.Context) error { return s.switchAlertChannel(c, false) }

func (s *Server) switchAlertChannel(c echo.Context, on bool) error {
	id, err := pathID(c, "channelId")
	if err != nil {
		return err
	}
	ch, err := s.gw.SetAlertChannelEnabled(c.Request().Context(), id, on, actor(c))
	if err != nil {
		return err
	}
	msg := tr(c, "“"+ch.Name+"”已停用：它不再收到提醒，还没发出的也不再发。", "“"+ch.Name+"” is off: it gets no alerts, and those not sent yet are dropped.")
	if on {
		msg = tr(c, "“"+ch.Name+"”已启用。", "“"+ch.Name+"” is on.")
	}
	return s.renderWithToast(c, views.AlertChannelCard(ch, nil), msg)
}

func (s *Server) deleteAlertChannel(c echo.Context) error {
	id, err := pathID(c, "channelId")
	if err != nil {
		return err
	}
	if err := s.gw.DeleteAlertChannel(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return s.renderWithToast(c, nopDeleted(id), tr(c, "提醒渠道已删除。", "Alert channel deleted."))
}

func (s *Server) saveQuietHours(c echo.Context) error {
	typed := c.FormValue("quietHours")
	q, err := s.gw.SetQuietHours(c.Request().Context(), typed, actor(c))
	if app.ErrorCode(err) == app.EINVALID && isHTMX(c) {
		return s.render(c, statusOf(app.EINVALID), views.QuietHoursSection(q, typed, err))
	}
	if err != nil {
		return err
	}
	msg := tr(c, "免打扰时段已保存："+q.String()+"。", "Quiet hours saved: "+q.String()+".")
	if q.Off() {
		msg = tr(c, "已取消免打扰：随时提醒。", "No quiet hours: alerts go out at any hour.")
	}
	return s.renderWithToast(c, views.QuietHoursSection(q, "", nil), msg)
}
