package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
)

// formGuard keeps other sites from sending forms in a visitor's name (CSRF).
// Reading is free. A state-changing request passes when the browser says it
// comes from this very origin (Sec-Fetch-Site: same-origin); from another
// site it is refused; anything else — a sibling subdomain or port
// ("same-site"), no header (an old browser, a script) — must carry the form
// token of the page it came from. That token is an HMAC bound to the session,
// or, on pages shown before there is one (login, first run, payment link), to
// the visitor's own pre-session cookie; a sibling site that plants a cookie
// cannot make a token to go with it.
type formGuard struct {
	// The pre-session cookie: name, path, SameSite and lifetime in seconds.
	cookie   string
	path     string
	sameSite http.SameSite
	maxAge   int
	// signedIn: only a signed-in session's token counts (the route runs after
	// requireAdmin). Otherwise the pre-session token counts, and so does the
	// session's when the visitor is signed in (the console's language switch).
	signedIn bool
	refusal  error
}

// csrfHeader and csrfField carry the form token.
const (
	csrfHeader = "X-CSRF-Token"
	csrfField  = "_csrf"
)

func (s *Server) guardForms(g formGuard) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx := c.Request().Context()
			c.Response().Header().Add(echo.HeaderVary, echo.HeaderCookie)
			binding := ""
			if g.signedIn {
				sess, ok := currentSession(c)
				if !ok {
					return g.refusal
				}
				binding = gateway.SessionBinding(sess)
			} else {
				visitor := s.visitorCookie(c, g)
				c.Set(visitorKey, visitor) // the payment link also tells its visitors apart by it
				binding = gateway.VisitorBinding(visitor)
			}
			token, err := s.gw.FormToken(ctx, binding)
			if err != nil {
				return err
			}
			c.Set(csrfKey, token) // what this request's pages put in their forms

			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				return next(c)
			}
			switch c.Request().Header.Get("Sec-Fetch-Site") {
			case "same-origin":
				return next(c)
			case "cross-site":
				return g.refusal
			}
			sent := c.Request().Header.Get(csrfHeader)
			if sent == "" {
				sent = c.FormValue(csrfField)
			}
			ok, err := s.gw.ValidFormToken(ctx, binding, sent)
			if err != nil {
				return err
			}
			if !ok && !g.signedIn && sent != "" {
				ok, err = s.validSessionFormToken(c, sent)
				if err != nil {
					return err
				}
			}
			if !ok {
				return g.refusal
			}
			return next(c)
		}
	}
}

// visitorCookie is the browser's pre-session cookie, given one if it has
// none (or a malformed one).
func (s *Server) visitorCookie(c echo.Context, g formGuard) string {
	if ck, err := c.Cookie(g.cookie); err == nil && wellFormedVisitorCookie(ck.Value) {
		return ck.Value
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	v := base64.RawURLEncoding.EncodeToString(b[:])
	s.setCookie(c, g.cookie, v, g.path, g.maxAge, g.sameSite)
	return v
}

func wellFormedVisitorCookie(v string) bool {
	if len(v) < 16 || len(v) > 100 {
		return false
	}
	for _, r := range v {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// validSessionFormToken: sent is the form token of the browser's current
// session (a console page's form posting to an open route).
func (s *Server) validSessionFormToken(c echo.Context, sent string) (bool, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return false, nil
	}
	sess, err := s.gw.Session(c.Request().Context(), ck.Value)
	if app.ErrorCode(err) == app.EUNAUTHORIZED {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.gw.ValidFormToken(c.Request().Context(), gateway.SessionBinding(sess), sent)
}
