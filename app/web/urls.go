package web

import (
	"net"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// baseURL is the absolute address payers and phones reach paygate at, without
// a trailing slash: server.public_url when set; else the scheme and host of
// the request. X-Forwarded-Proto and X-Forwarded-Host are believed only from
// the trusted proxies, so nobody can make paygate hand out links to another site.
func (s *Server) baseURL(c echo.Context) string {
	if s.opts.PublicURL != "" {
		return strings.TrimRight(s.opts.PublicURL, "/")
	}
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

// isLocalBase reports whether a base URL can only be opened on this computer
// (localhost or a loopback address): links built on it are useless to buyers.
func isLocalBase(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || (ip != nil && ip.IsLoopback())
}

// payURL is the checkout page of an order, /pay/{orderId}. Every link to the
// checkout page is built here.
func (s *Server) payURL(c echo.Context, orderID string) string {
	return s.baseURL(c) + "/pay/" + url.PathEscape(orderID)
}
