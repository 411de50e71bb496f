package web

import (
	"bytes"
	"net"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/views"
)

// render writes a templ component: into a buffer first, so a rendering
// error becomes a proper error page instead of half a page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	ctx := views.WithLang(c.Request().Context(), uiLang(c))
	if err := comp.Render(ctx, &buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Add(echo.HeaderVary, "HX-Request")
	h.Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// meta is the page frame's data: who is signed in, what needs attention.
func (s *Server) meta(c echo.Context, title, active string) views.Meta {
	m := views.Meta{Title: title, Active: active, CSRF: csrfToken(c), Path: c.Request().URL.RequestURI()}
	if sess, ok := currentSession(c); ok {
		m.User = sess.Admin.Username
	}
	if f, err := s.gw.AdminFrame(c.Request().Context()); err == nil {
		m.Shop, m.Unmatched, m.CallbacksFailing = f.ShopName, f.Unmatched, f.CallbacksFailing
	} else {
		s.log.Warn("admin frame", "err", err)
	}
	return m
}

func csrfToken(c echo.Context) string {
	t, _ := c.Get(csrfKey).(string)
	return t
}

// uiLang is the console's language: ?lang=, else the language cookie, else
// Simplified Chinese (not the browser's Accept-Language: the console is
// Chinese by default, with an English switch).
func uiLang(c echo.Context) string {
	if l := c.QueryParam("lang"); l != "" {
		if strings.HasPrefix(strings.ToLower(l), "en") {
			return "en"
		}
		return "zh"
	}
	if ck, err := c.Cookie(langCookie); err == nil && ck.Value == "en" {
		return "en"
	}
	return "zh"
}

func tr(c echo.Context, zh, en string) string {
	if uiLang(c) == "en" {
		return en
	}
	return zh
}

// isAdminHTML tells handleError to answer with a page or a toast, not JSON.
func isAdminHTML(c echo.Context) bool {
	p := c.Request().URL.Path
	return (p == "/" || p == "/docs" || p == "/admin" || strings.HasPrefix(p, "/admin/")) && !wantsJSON(c)
}

// renderAdminError shows an error to a person: a toast for htmx requests
// (retargeted to #toast, so it is seen wherever the page is scrolled), else
// a whole page with a way back.
func (s *Server) renderAdminError(c echo.Context, status int, err error, noRoute bool) {
	msg := app.ErrorMessage(err, uiLang(c))
	if noRoute {
		msg = tr(c, "没有这个页面："+c.Request().URL.Path+"。请从菜单进入。", "There is no page "+c.Request().URL.Path+". Use the menu.")
	}
	if isHTMX(c) {
		h := c.Response().Header()
		h.Set("HX-Retarget", "#toast")
		h.Set("HX-Reswap", "innerHTML")
		_ = s.render(c, status, views.Toast(false, msg))
		return
	}
	if _, ok := currentSession(c); ok {
		_ = s.render(c, status, views.ErrorPage(s.meta(c, tr(c, "出错了", "Error"), ""), status, msg))
		return
	}
	_ = s.render(c, status, views.BareErrorPage(status, msg, csrfToken(c)))
}

// secureRequest: served over TLS, or over https through a trusted proxy.
func (s *Server) secureRequest(c echo.Context) bool {
	r := c.Request()
	if r.TLS != nil {
		return true
	}
	return s.fromTrustedProxy(r) && strings.EqualFold(r.Header.Get(echo.HeaderXForwardedProto), "https")
}

// fromTrustedProxy: the TCP peer is one of the configured reverse proxies.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	for _, p := range s.opts.TrustedProxies {
		if _, n, err := net.ParseCIDR(p); err == nil && n.Contains(ip) {
			return true
		}
		if t := net.ParseIP(p); t != nil && t.Equal(ip) {
			return true
		}
	}
	return false
}

// isLocalRequest: the visitor sits at the machine running paygate. A request
// relayed by a proxy on this machine does not count unless the proxy is
// trusted and says the client itself is local.
func (s *Server) isLocalRequest(c echo.Context) bool {
	if !isLoopback(c.RealIP()) {
		return false
	}
	r := c.Request()
	forwarded := r.Header.Get(echo.HeaderXForwardedFor) != "" || r.Header.Get(echo.HeaderXRealIP) != "" || r.Header.Get("Forwarded") != ""
	if forwarded {
		return s.fromTrustedProxy(r)
	}
	// A page from another site whose name was re-pointed at 127.0.0.1 (DNS
	// rebinding) is same-origin with its own name: only a loopback name counts.
	return isLoopbackHost(r.Host)
}

func (s *Server) setCookie(c echo.Context, name, value, path string, maxAge int, sameSite http.SameSite) {
	c.SetCookie(&http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: sameSite, Secure: s.secureRequest(c),
	})
}

// localPath accepts only a path inside the console (or the /docs page), so
// ?next= cannot send anyone to another site.
func localPath(p, fallback string) string {
	if p == "/docs" {
		return p
	}
	if strings.HasPrefix(p, "/admin") && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n") {
		return p
	}
	return fallback
}
