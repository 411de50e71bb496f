package web

import (
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"paygate/app/console"
)

// baseURL is the absolute address payers and phones reach paygate at, without
// a trailing slash (see reach).
func (s *Server) baseURL(c echo.Context) string { return s.reach(c).Base }

// reach is how phones and payers reach paygate: a fixed public address
// (Options.PublicURL) when given; else the gateway's choice — the public
// address in force (config or console), else the address this request came
// in at, unless that is localhost: then this computer's LAN address.
func (s *Server) reach(c echo.Context) console.Reach {
	r := s.gw.Reach(s.requestBase(c))
	if s.opts.PublicURL != "" {
		r.Base, r.Via = strings.TrimRight(s.opts.PublicURL, "/"), console.ReachPublic
	}
	return r
}

// requestBase is the scheme and host the request came in at.
// X-Forwarded-Proto and X-Forwarded-Host are believed only from the trusted
// proxies, so nobody can make paygate hand out links to another site.
func (s *Server) requestBase(c echo.Context) string {
	r := c.Request()
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.fromTrustedProxy(r) {
		if p := strings.ToLower(firstValue(r.Header.Get(echo.HeaderXForwardedProto))); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); validHost(h) {
			host = h
		}
	}
	if !validHost(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

// firstValue is the first of a comma-separated header (the client's side of a proxy chain).
func firstValue(h string) string {
	v, _, _ := strings.Cut(h, ",")
	return strings.TrimSpace(v)
}

// validHost accepts host or host:port, nothing that could end the authority.
func validHost(h string) bool {
	if h == "" || len(h) > 255 || strings.ContainsAny(h, "/\\?#@ \t\r\n") {
		return false
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h
}

// payURL is the checkout page of an order, /pay/{orderId}. Every link to the
// checkout page is built here.
func (s *Server) payURL(c echo.Context, orderID string) string {
	return s.baseURL(c) + "/pay/" + url.PathEscape(orderID)
}
