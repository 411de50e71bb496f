package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/qr"
	"paygate/views"
)

// addressData is the settings page's address section.
func (s *Server) addressData(c echo.Context) views.AddressData {
	return views.AddressData{Reach: s.reach(c)}
}

// saveAddress sets the public address from the console, in force at once.
func (s *Server) saveAddress(c echo.Context) error {
	typed := c.FormValue("publicUrl")
	err := s.gw.SetPublicAddress(c.Request().Context(), typed, actor(c))
	if app.ErrorCode(err) == app.EINVALID && isHTMX(c) {
		d := s.addressData(c)
		d.Typed, d.Err = typed, err
		return s.render(c, statusOf(app.EINVALID), views.AddressSection(d))
	}
	if err != nil {
		return err
	}
	msg := tr(c, "访问地址已保存：付款链接、付款页和配对码现在都用 "+s.baseURL(c)+"。", "Address saved: payment links, checkout pages and pairing codes now use "+s.baseURL(c)+".")
	if s.gw.PublicAddress().URL == "" {
		msg = tr(c, "已清除公网访问地址：现在用 "+s.baseURL(c)+"。", "Public address removed: now using "+s.baseURL(c)+".")
	}
	return s.renderWithToast(c, views.AddressSection(s.addressData(c)), msg)
}

// startReachCheck makes a one-time address for the phone to open.
func (s *Server) startReachCheck(c echo.Context) error {
	reach := s.reach(c)
	check, err := s.gw.StartReachCheck(c.Request().Context(), reach.Base)
	if err != nil {
		return err
	}
	svg, err := qr.SVG(check.URL)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ReachCheckBox(check, svg, reach.LAN))
}

// reachCheckStatus is the live "has the phone opened it yet" line.
func (s *Server) reachCheckStatus(c echo.Context) error {
	check, err := s.gw.ReachCheck(c.Request().Context(), c.Param("token"))
	if app.ErrorCode(err) == app.ENOTFOUND {
		// Expired while the page stayed open: say so once, and stop asking.
		return s.render(c, http.StatusOK, views.ReachCheckExpired())
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.ReachCheckStatus(check, s.reach(c).LAN))
}

// checkPage is the check address itself, opened on the phone: it records
// the visit and says the phone got through.
func (s *Server) checkPage(c echo.Context) error {
	check, err := s.gw.RecordReachHit(c.Request().Context(), c.Param("token"), c.RealIP(), c.Request().Host)
	if err != nil {
		if app.ErrorCode(err) != app.ENOTFOUND {
			return err
		}
		return s.render(c, http.StatusNotFound, views.PayerErrorPage(views.PayerError{Status: http.StatusNotFound, Shop: s.shopName(c),
			Title: tr(c, "检查链接已失效", "This check address has expired"), Msg: app.ErrorMessage(err, uiLang(c))}))
	}
	return s.render(c, http.StatusOK, views.CheckPage(check, s.shopName(c)))
}
