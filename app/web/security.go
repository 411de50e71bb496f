package web

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"paygate/app"
)

// baseHeaders are sent with every response. Pages set their own, stricter
// Content-Security-Policy on top; JSON answers get one that allows nothing.
func (s *Server) baseHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		if s.secureRequest(c) {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		return next(c)
	}
}

// rateLimit allows perSecond requests per client with bursts of twice that;
// 0 turns it off. A client is an IPv4 address or an IPv6 /64
// (app.ClientNetwork): one home or phone holds a whole /64. The answer to a
// client over the limit says when to retry.
func rateLimit(perSecond float64) echo.MiddlewareFunc {
	if perSecond <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	burst := int(math.Max(1, math.Ceil(2*perSecond)))
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(perSecond), Burst: burst, ExpiresIn: 3 * time.Minute,
	})
	retry := strconv.Itoa(int(math.Max(1, math.Ceil(1/perSecond))))
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               store,
		IdentifierExtractor: func(c echo.Context) (string, error) { return app.ClientNetwork(c.RealIP()), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", retry)
			return app.NewError(app.ERATELIMIT, "",
				"请求太频繁：这个 IP 每秒最多 "+strconv.FormatFloat(perSecond, 'f', -1, 64)+" 个请求，请 "+retry+" 秒后重试。",
				"Too many requests: at most "+strconv.FormatFloat(perSecond, 'f', -1, 64)+" per second from one IP; retry in "+retry+" s.")
		},
		ErrorHandler: func(c echo.Context, err error) error {
			return echo.NewHTTPError(http.StatusForbidden).SetInternal(err)
		},
	})
}
