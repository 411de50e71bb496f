package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/views"
)

func (s *Server) setupPage(c echo.Context) error {
	need, err := s.gw.NeedsSetup(c.Request().Context())
	if err != nil {
		return err
	}
	if !need {
		return c.Redirect(http.StatusSeeOther, "/admin/login")
	}
	return s.render(c, http.StatusOK, views.SetupPage(views.SetupData{CSRF: csrfToken(c), NeedToken: !s.isLocalRequest(c)}))
}

func (s *Server) setup(c echo.Context) error {
	ctx := c.Request().Context()
	req := gateway.SetupRequest{
		Username: c.FormValue("username"),
		Password: c.FormValue("password"),
		Confirm:  c.FormValue("confirm"),
		Token:    c.FormValue("token"),
		Local:    s.isLocalRequest(c),
		Client:   loginClient(c),
	}
	login, err := s.gw.SetupAdmin(ctx, req)
	if err != nil {
		if app.ErrorCode(err) == app.ECONFLICT {
			return c.Redirect(http.StatusSeeOther, "/admin/login")
		}
		return s.render(c, statusOf(app.ErrorCode(err)), views.SetupPage(views.SetupData{
			CSRF: csrfToken(c), NeedToken: !req.Local, Username: req.Username,
			Error: app.ErrorMessage(err, uiLang(c)), ErrField: app.ErrorField(err),
		}))
	}
	return s.signedIn(c, login, "/admin/")
}

func (s *Server) loginPage(c echo.Context) error {
	ctx := c.Request().Context()
	need, err := s.gw.NeedsSetup(ctx)
	if err != nil {
		return err
	}
	if need {
		return c.Redirect(http.StatusSeeOther, "/admin/setup")
	}
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if _, err := s.gw.Session(ctx, ck.Value); err == nil {
			return c.Redirect(http.StatusSeeOther, "/admin/")
		}
	}
	d := views.LoginData{CSRF: csrfToken(c), Next: localPath(c.QueryParam("next"), "")}
	if c.QueryParam("bye") != "" {
		d.Notice = tr(c, "已退出登录。", "You are logged out.")
	}
	return s.render(c, http.StatusOK, views.LoginPage(d))
}

func (s *Server) login(c echo.Context) error {
	username, next := c.FormValue("username"), localPath(c.FormValue("next"), "/admin/")
	login, err := s.gw.Login(c.Request().Context(), gateway.LoginRequest{
		Username: username, Password: c.FormValue("password"), Client: loginClient(c),
	})
	if err != nil {
		if code := app.ErrorCode(err); code != app.EUNAUTHORIZED && code != app.ERATELIMIT {
			return err
		}
		return s.render(c, statusOf(app.ErrorCode(err)), views.LoginPage(views.LoginData{
			CSRF: csrfToken(c), Username: username, Next: next, Error: app.ErrorMessage(err, uiLang(c)),
		}))
	}
	return s.signedIn(c, login, next)
}

// loginClient is the browser logging in, as the login throttle judges it.
func loginClient(c echo.Context) gateway.LoginClient {
	cl := gateway.LoginClient{RemoteIP: c.RealIP(), UserAgent: c.Request().UserAgent()}
	if ck, err := c.Cookie(deviceCookie); err == nil {
		cl.Device = ck.Value
	}
	return cl
}

// signedIn gives the browser its session and known-device cookies and sends it on.
func (s *Server) signedIn(c echo.Context, login gateway.LoginResult, next string) error {
	s.setCookie(c, sessionCookie, login.Token, "/admin", int(gateway.SessionLifetime.Seconds()), http.SameSiteLaxMode)
	s.setCookie(c, deviceCookie, login.Device, "/admin", int(gateway.KnownDeviceLifetime.Seconds()), http.SameSiteLaxMode)
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.gw.Logout(c.Request().Context(), ck.Value, actor(c)); err != nil {
			return err
		}
	}
	s.setCookie(c, sessionCookie, "", "/admin", -1, http.SameSiteLaxMode)
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", "/admin/login?bye=1")
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/login?bye=1")
}

// setLang remembers the chosen language in a cookie and goes back.
func (s *Server) setLang(c echo.Context) error {
	lang := "zh"
	if c.FormValue("lang") == "en" {
		lang = "en"
	}
	s.setCookie(c, langCookie, lang, "/", 365*24*3600, http.SameSiteLaxMode)
	return c.Redirect(http.StatusSeeOther, localPath(c.FormValue("back"), "/admin/"))
}
