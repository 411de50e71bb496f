package web

import (
	"net"
	"strings"

	"github.com/labstack/echo/v4"
)

// requireAPIKey admits requests with Authorization: Bearer <api key>, or
// requests whose fields carry the guide's signature (timestamp, nonce, signature).
func (s *Server) requireAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if key := bearerToken(c); key != "" {
			if err := s.gw.CheckAPIKey(ctx, key); err != nil {
				return err
			}
			return next(c)
		}
		f, err := s.readFields(c)
		if err != nil || f["signature"] == "" {
			// Neither a key nor a signature: say the key is missing.
			return s.gw.CheckAPIKey(ctx, "")
		}
		if err := s.gw.CheckSignedRequest(ctx, f); err != nil {
			return err
		}
		c.Set(fieldsKey, f)
		return next(c)
	}
}

// requireAPIKeyOrFirstLocalSetup also lets a request from this machine set
// the very first API key, so a server can be configured with curl alone.
func (s *Server) requireAPIKeyOrFirstLocalSetup(next echo.HandlerFunc) echo.HandlerFunc {
	guarded := s.requireAPIKey(next)
	return func(c echo.Context) error {
		has, err := s.gw.HasAPIKey(c.Request().Context())
		if err != nil {
			return err
		}
		if !has && isLoopback(c.RealIP()) {
			return next(c)
		}
		return guarded(c)
	}
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
