package web

import (
	"context"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
)

// requireAPIKey admits requests with Authorization: Bearer <api key>, or
// signed requests (gateway.CheckSignedRequest). The signature covers the
// method and the path, so a callback body, signed over its fields alone, is
// refused everywhere.
func (s *Server) requireAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return s.apiKeyAuth(next, nil)
}

// requireBearerKey admits only Authorization: Bearer <api key>. It guards
// the endpoints whose answer is a secret: POST /api/devices and
// POST /api/devices/{id}/rotate-key answer a device key. A signature is a
// proof that travels in the request's fields, where logs and relays keep it,
// and it can be made by code that never holds the key itself (a callback
// body was one); a flaw there must not hand anyone a secret. Only the key
// itself may ask for one.
func (s *Server) requireBearerKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		key := bearerToken(c)
		if key == "" {
			return s.errBearerOnly(ctx)
		}
		if err := s.gw.CheckAPIKey(ctx, key); err != nil {
			return err
		}
		return next(c)
	}
}

// apiKeyAuth admits the Bearer key, or a signed request unless bearerOnly
// says its fields ask for something only the Bearer key may do.
func (s *Server) apiKeyAuth(next echo.HandlerFunc, bearerOnly func(fields) bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if key := bearerToken(c); key != "" {
			if err := s.gw.CheckAPIKey(ctx, key); err != nil {
				return err
			}
			return next(c)
		}
		f, err := s.readFields(c)
		if err == nil && bearerOnly != nil && bearerOnly(f) {
			return s.errBearerOnly(ctx)
		}
		if err != nil || f["signature"] == "" {
			// Neither a key nor a signature: say the key is missing.
			return s.gw.CheckAPIKey(ctx, "")
		}
		r := c.Request()
		if err := s.gw.CheckSignedRequest(ctx, gateway.SignedRequest{Method: r.Method, Path: r.URL.Path, Fields: f}); err != nil {
			return err
		}
		c.Set(fieldsKey, f)
		return next(c)
	}
}

// setsAPIKey: a config change that replaces the API key takes the Bearer
// key only, for the reason requireBearerKey gives; other settings may be
// changed by a signed request.
func setsAPIKey(f fields) bool { return f.has("apiKey") }

// errBearerOnly says a signed request is not enough here (or that no key
// exists yet, when none does).
func (s *Server) errBearerOnly(ctx context.Context) error {
	has, err := s.gw.HasAPIKey(ctx)
	if err != nil {
		return err
	}
	if !has {
		return s.gw.CheckAPIKey(ctx, "")
	}
	return app.NewError(app.EUNAUTHORIZED, "Authorization",
		"这个接口会显示或更换密钥，只接受 API 密钥本身：请在请求头加 Authorization: Bearer <API密钥>（请用 HTTPS），签名请求在这里无效。",
		"This endpoint shows or replaces a secret and takes only the API key itself: send the header Authorization: Bearer <api key> (over HTTPS); a signed request is not accepted here.")
}

// requireAPIKeyOrFirstLocalSetup also lets curl on this machine set the very
// first API key, so a server can be configured without a browser. A web
// page must not do it through the browser of someone sitting at this
// machine: cross-site requests (Origin, Sec-Fetch-Site) are refused; the
// body must be labelled application/json, which a page can send to another
// site only after a CORS preflight paygate never grants; and, as on the
// admin setup page, a request relayed by a proxy counts as remote, as does
// one addressed to a name other than localhost (DNS rebinding).
func (s *Server) requireAPIKeyOrFirstLocalSetup(next echo.HandlerFunc) echo.HandlerFunc {
	guarded := s.apiKeyAuth(next, setsAPIKey)
	return func(c echo.Context) error {
		has, err := s.gw.HasAPIKey(c.Request().Context())
		if err != nil {
			return err
		}
		r := c.Request()
		if has || !s.isLocalRequest(c) || !isLoopbackHost(r.Host) {
			return guarded(c)
		}
		if isCrossSite(r) {
			return app.NewError(app.EFORBIDDEN, "",
				"拒绝跨站请求：第一个 API 密钥只能在运行 paygate 的电脑上用命令行设置，不能由网页发起。请在终端运行 curl -X POST http://"+r.Host+"/api/config -H 'Content-Type: application/json' -d '{\"apiKey\":\"你的密钥\"}'，或在管理后台的设置页设置。",
				"Cross-site request refused: the first API key can be set only from the computer running paygate with a command-line tool, never by a web page. Run curl -X POST http://"+r.Host+"/api/config -H 'Content-Type: application/json' -d '{\"apiKey\":\"your key\"}' in a terminal, or set it on the admin settings page.")
		}
		if !isJSONRequest(r) {
			return app.NewError(app.EUNSUPPORTED, "body",
				"设置第一个 API 密钥时，请求体必须是 JSON，并带请求头 Content-Type: application/json（curl 加 -H 'Content-Type: application/json'）。",
				"Setting the first API key needs a JSON body sent with Content-Type: application/json (with curl, add -H 'Content-Type: application/json').")
		}
		return next(c)
	}
}

// isCrossSite: a browser says the request comes from a page of another
// origin. Command-line clients send neither header.
func isCrossSite(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return true
	}
	origin := r.Header.Get(echo.HeaderOrigin)
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host)
}

// isJSONRequest: the body is labelled application/json (or a +json type).
func isJSONRequest(r *http.Request) bool {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	return err == nil && (mediaType == echo.MIMEApplicationJSON || strings.HasSuffix(mediaType, "+json"))
}

// isLoopbackHost: the Host header names this machine (localhost or a
// loopback address), not a domain an attacker can point here.
func isLoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.EqualFold(host, "localhost") || isLoopback(host)
}

const fieldsKey = "paygate.fields"

// requestFields returns the fields the auth middleware already read, or reads them.
func (s *Server) requestFields(c echo.Context) (fields, error) {
	if f, ok := c.Get(fieldsKey).(fields); ok {
		return f, nil
	}
	return s.readFields(c)
}

func bearerToken(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func isLoopback(ip string) bool {
	p := net.ParseIP(ip)
	return p != nil && p.IsLoopback()
}
