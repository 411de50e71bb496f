package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/assets"
)

var assetServer = http.StripPrefix("/assets/", http.FileServerFS(assets.FS))

// asset serves the embedded static files. Their URLs carry a content hash
// (assets.URL), so they may be cached for a year.
func (s *Server) asset(c echo.Context) error {
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	assetServer.ServeHTTP(c.Response(), c.Request())
	return nil
}
