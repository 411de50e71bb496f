package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
)

// formGuard keeps other sites from sending forms in a visitor's name (CSRF).
// Reading is free. A state-changing request passes when the browser says it
// comes from this very origin (Sec-Fetch-Site: same-origin); from another
// site it is refused; anything else must carry the form token of the page it
// came from. That token is an HMAC bound to the session, or, on pages shown
// before there is one (login, first run, payment link), to the visitor's own
// pre-session cookie.
//
// A session's token cannot be had without the session, so a signed-in form
// from a sibling subdomain or port ("same-site", or an old browser sending no
// header) passes only with the page's token. A pre-session pair can: anyone
// fetches a cookie and its token from the login page, and a sibling subdomain
// or port can plant that cookie in someone else's browser (cookies are not
// kept apart by port). So before login the browser's word counts more than
// the pair: see fromOwnOrigin.
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
			switch site := c.Request().Header.Get("Sec-Fetch-Site"); {
			case site == "same-origin":
				return next(c)
			case site == "cross-site":
				return g.refusal
			case !g.signedIn && (site != "" || !s.fromOwnOrigin(c)):
				// Before login only a browser that says nothing of its
				// request's origin gets as far as the token: see fromOwnOrigin.
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

// fromOwnOrigin: a form sent before login, not marked same-origin, may go
// on to the token check. The planted pair (see formGuard) rules out every
// Sec-Fetch-Site but same-origin:
//   - "same-site" is the sibling subdomain or port itself;
//   - "none" is never a form on a page: no address typed or bookmark chosen
//     is a POST. A POST marked "none" is one sent again (a reload, back and
//     forward), and a browser may mark it so whoever sent it first: the
//     refused post of a sibling site, re-sent by the owner because the 403
//     page says to reload (Chromium keeps the first one's "same-site").
//
// Without the header (a browser older than Chrome 76, Firefox 90, Safari
// 16.4, or a script), an Origin, else a Referer, if sent, must be paygate's
// own: scheme, host and port as the request came in (through a trusted proxy:
// as the proxy reports them; see requestBase), or the public address. Such
// browsers send Origin on every POST; "null" (a sandboxed frame; also any page
// under Referrer-Policy no-referrer, so paygate's pages use same-origin) is
// not paygate. curl and scripts send neither and keep working with the token.
func (s *Server) fromOwnOrigin(c echo.Context) bool {
	r := c.Request()
	from := r.Header.Get(echo.HeaderOrigin)
	if from == "" {
		from = r.Referer()
	}
	if from == "" {
		return true
	}
	got, ok := originOf(from)
	if !ok {
		return false
	}
	// paygate's own: as the request came in, or the public address the
	// owner set (a proxy that passes neither Host nor X-Forwarded-Host).
	for _, own := range []string{s.requestBase(c), s.opts.PublicURL, s.gw.PublicAddress().URL} {
		if want, ok := originOf(own); ok && got == want {
			return true
		}
	}
	return false
}

// originOf is the scheme://host[:port] of an absolute http(s) URL, in lower
// case and without the scheme's default port; ok is false for anything else
// ("null", a path, a URL with user info).
func originOf(raw string) (origin string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "80" && scheme == "http" || port == "443" && scheme == "https" {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, true
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
