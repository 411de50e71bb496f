package web

import (
	"net/url"

	"github.com/labstack/echo/v4"
)

// baseURL is where payers and merchants reach this paygate: server.public_url
// when set, else the scheme and host this request came to.
func (s *Server) baseURL(c echo.Context) string {
	if u, err := url.Parse(s.opts.PublicURL); err == nil && u.Host != "" {
		return s.opts.PublicURL
	}
	scheme := "http"
	if s.secureRequest(c) {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host
}

// payURL is the checkout page of an order, /pay/{orderId}. Every link to the
// checkout page is built here.
func (s *Server) payURL(c echo.Context, orderID string) string {
	return s.baseURL(c) + "/pay/" + url.PathEscape(orderID)
}
