package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
)

// Cookie names of the admin console.
const (
	sessionCookie = "paygate_session"
	langCookie    = "paygate_lang"
	csrfCookie    = "paygate_csrf"
	deviceCookie  = "paygate_device" // a signed "this browser signed in before", for the login throttle
	sessionKey    = "paygate.session"
	csrfKey       = "csrf"
)

// registerAdmin adds the admin console: /, /assets/ and everything under /admin/.
func (s *Server) registerAdmin(e *echo.Echo) {
	e.GET("/assets/*", s.asset)
	e.GET("/", s.root, s.securityHeaders)

	// Before login: the token is bound to a pre-session cookie (SameSite=Strict,
	// only sent to /admin). After: to the session.
	csrf := s.guardForms(formGuard{cookie: csrfCookie, path: "/admin", sameSite: http.SameSiteStrictMode,
		maxAge: int(gateway.SessionLifetime.Seconds()), refusal: errCSRF})
	signedInCSRF := s.guardForms(formGuard{signedIn: true, refusal: errCSRF})

	// The API reference, public; the csrf middleware gives its language switch a token.
	e.GET("/docs", s.docs, s.securityHeaders, csrf)

	admin := e.Group("/admin", s.securityHeaders)
	// Open to visitors: first run, login, language.
	admin.GET("/setup", s.setupPage, csrf)
	admin.POST("/setup", s.setup, csrf)
	admin.GET("/login", s.loginPage, csrf)
	admin.POST("/login", s.login, csrf)
	admin.POST("/lang", s.setLang, csrf)

	// Everything else needs a session, and a CSRF token to change anything.
	p := admin.Group("", s.requireAdmin, signedInCSRF)
	p.POST("/logout", s.logout)
	p.GET("", s.dashboard)
	p.GET("/", s.dashboard)
	p.GET("/orders", s.orders)
	p.GET("/orders/:id", s.order)
	p.POST("/orders/:id/close", s.closeOrderAdmin)
	p.POST("/orders/:id/pay", s.payOrderByHand)
	p.GET("/payments", s.payments)
	p.GET("/payments/:id", s.payment)
	p.POST("/payments/:id/confirm", s.confirmPaymentAdmin)
	p.POST("/payments/:id/ignore", s.ignorePaymentAdmin)
	p.POST("/payments/:id/resend", s.resendCallbackAdmin)
	p.GET("/payments/:id/search", s.searchForPayment)
	p.GET("/cashier", s.cashier)
	p.GET("/arrivals", s.arrivals)
	p.GET("/callbacks", s.callbacks)
	p.GET("/audit", s.audit)
	p.GET("/settings", s.settings)
	p.POST("/settings/merchant", s.saveMerchant)
	p.POST("/settings/shop-contact", s.saveShopContact)
	p.GET("/settings/api-key", s.apiKey)
	p.POST("/settings/api-key/rotate", s.rotateAPIKey)
	p.POST("/settings/callback", s.saveCallbackURL)
	p.POST("/settings/callback/test", s.testCallback)
	p.POST("/settings/epay", s.saveEpay)
	s.registerEpayV2Settings(p)
	p.POST("/settings/tuning", s.saveTuning)
	p.POST("/settings/password", s.changePassword)
	p.GET("/settings/qr/:method", s.payQRImage)
	p.POST("/settings/qr/:method", s.uploadPayQR)
	p.GET("/export", s.exportPage)
	p.GET("/export/download", s.export)
	s.registerDevices(p)
	s.registerLinks(p)
	s.registerConnect(p)
	p.GET("/settings/qr/:method/:amount", s.payQRAmountImage)
	p.POST("/settings/qr/:method/amounts", s.uploadPayQRAmount)
	p.POST("/settings/qr/:method/:amount/delete", s.deletePayQRAmount)
}

var errCSRF = app.NewError(app.EFORBIDDEN, "csrf",
	"请求被拒绝：页面已过期或不是从本后台提交的。请刷新页面后重试。",
	"Request refused: the page is stale or was not sent from this console. Reload the page and try again.")

// root sends a visitor to the first-run page on a fresh instance, else to the console.
func (s *Server) root(c echo.Context) error {
	need, err := s.gw.NeedsSetup(c.Request().Context())
	if err != nil {
		return err
	}
	if need {
		return c.Redirect(http.StatusSeeOther, "/admin/setup")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/")
}

// securityHeaders: no inline script or style, no framing, no sniffing.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// requireAdmin admits requests with a valid session. Anonymous pages are
// sent to the login page; htmx, JSON and state-changing requests get 401.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := ""
		if ck, err := c.Cookie(sessionCookie); err == nil {
			token = ck.Value
		}
		sess, err := s.gw.Session(c.Request().Context(), token)
		if err != nil {
			if app.ErrorCode(err) != app.EUNAUTHORIZED {
				return err
			}
			r := c.Request()
			if isHTMX(c) {
				c.Response().Header().Set("HX-Redirect", "/admin/login")
				return err
			}
			if r.Method == http.MethodGet && !wantsJSON(c) {
				return c.Redirect(http.StatusSeeOther, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()))
			}
			return err
		}
		c.Set(sessionKey, sess)
		return next(c)
	}
}

func currentSession(c echo.Context) (app.Session, bool) {
	s, ok := c.Get(sessionKey).(app.Session)
	return s, ok
}

// actor is the signed-in admin's name, for the audit log.
func actor(c echo.Context) string {
	if s, ok := currentSession(c); ok {
		return s.Admin.Username
	}
	return "admin"
}

func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

func wantsJSON(c echo.Context) bool {
	accept := c.Request().Header.Get(echo.HeaderAccept)
	return accept != "" && !containsFold(accept, "text/html") && containsFold(accept, "json")
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
