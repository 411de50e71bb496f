// Package web is paygate's HTTP layer: routes, thin handlers that decode,
// validate, make one call into the gateway and render, and the one place
// where error codes become HTTP statuses.
package web

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"paygate/app/gateway"
)

// Options configure the HTTP layer.
type Options struct {
	MaxBodySize int64
	Version     string
	Logger      *slog.Logger
	// TrustedProxies (IPs or CIDRs) may set X-Forwarded-For and X-Forwarded-Proto.
	TrustedProxies []string
	// PublicURL, when set, is a fixed address phones and payers use, e.g.
	// https://pay.example.com, winning over the gateway's choice (Reach: the
	// public address from config or the console, the request's host, the LAN
	// address). paygate passes server.public_url to the gateway instead, so
	// the console can show and change it.
	PublicURL string
	// RateLimit is requests per second per client IP on the API and forwarder endpoints; 0 = off.
	RateLimit float64
	// Metrics serves GET /metrics (Prometheus) to holders of MetricsToken
	// and to addresses in MetricsAllow (IPs or CIDRs); the detailed /health
	// too, and to a console session (health.go).
	Metrics      http.Handler
	MetricsToken string
	MetricsAllow []string
}

// Server holds what handlers need.
type Server struct {
	gw          *gateway.Gateway
	opts        Options
	log         *slog.Logger
	monitorNets []*net.IPNet // Options.MetricsAllow
}

// New builds the echo instance with every route.
func New(gw *gateway.Gateway, opts Options) *echo.Echo {
	if opts.MaxBodySize <= 0 {
		opts.MaxBodySize = 64 << 10
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{gw: gw, opts: opts, log: opts.Logger, monitorNets: parseNets(opts.MetricsAllow)}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.JSONSerializer = jsonSerializer{}
	// Trust the TCP peer, not X-Forwarded-For, unless a proxy is configured:
	// a forged header must not dodge rate limits or the localhost rules.
	e.IPExtractor = echo.ExtractIPDirect()
	if len(opts.TrustedProxies) > 0 {
		e.IPExtractor = echo.ExtractIPFromXFFHeader(trustOptions(opts.TrustedProxies)...)
	}
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}))
	e.Use(s.logRequests)
	e.Use(s.baseHeaders)
	e.Use(s.limitBody) // before gzip: it needs the server's own ResponseWriter
	// Payers may be on a weak mobile network: their pages and the assets go gzipped.
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 512, Skipper: func(c echo.Context) bool {
		p := c.Request().URL.Path
		return !(strings.HasPrefix(p, "/pay/") || strings.HasPrefix(p, "/l/") || strings.HasPrefix(p, "/assets/"))
	}}))
	limited := rateLimit(opts.RateLimit)

	e.GET("/health", s.health)
	e.GET("/metrics", s.metrics)
	e.GET("/admin/health", s.health, s.requireAdmin) // the detailed answer for a console session (its cookie goes to /admin only)

	// The limit goes on each route, not on the group: group middleware makes
	// echo answer 404 instead of 405 for a wrong method.
	api := e.Group("/api")
	api.GET("/order-status", s.orderStatus, limited)
	api.POST("/orders", s.createOrder, limited, s.requireAPIKey)
	api.GET("/orders/:id", s.orderDetail, limited, s.requireAPIKey)
	api.POST("/orders/:id/close", s.closeOrder, limited, s.requireAPIKey)
	api.POST("/config", s.updateConfig, limited, s.requireAPIKeyOrFirstLocalSetup)
	api.GET("/payments", s.listPayments, limited, s.requireAPIKey)
	api.GET("/payments/:id", s.paymentDetail, limited, s.requireAPIKey)
	api.POST("/payments/:id/confirm", s.confirmPayment, limited, s.requireAPIKey)
	api.POST("/payments/:id/ignore", s.ignorePayment, limited, s.requireAPIKey)
	api.POST("/payments/:id/resend-callback", s.resendCallback, limited, s.requireAPIKey)
	api.GET("/devices", s.listDevices, limited, s.requireAPIKey)
	// These two answer a device key: the Bearer key only (see requireBearerKey).
	api.POST("/devices", s.createDevice, limited, s.requireBearerKey)
	api.POST("/devices/:id/rotate-key", s.rotateDeviceKey, limited, s.requireBearerKey)
	api.DELETE("/devices/:id", s.deleteDevice, limited, s.requireAPIKey)
	api.GET("/notifications", s.listNotifications, limited, s.requireAPIKey)
	api.POST("/notifications/reparse", s.reparseNotifications, limited, s.requireAPIKey)

	// Forwarders: the guide's webhook (also SmsForwarder's formats) and the V免签 app.
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		e.Add(m, "/webhook", s.webhook, limited)
	}
	s.registerVmq(e, limited)

	s.registerEpay(e, limited)
	s.registerAdmin(e)
	s.registerPayer(e, limited)
	e.GET("/check/:token", s.checkPage, limited, s.securityHeaders, s.payerLanguage)
	return e
}

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.log.Enabled(c.Request().Context(), slog.LevelDebug) {
			return next(c) // the common case: no per-request work for a log nobody reads
		}
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			if he, ok := err.(*echo.HTTPError); ok {
				status = he.Code
			}
		}
		// The path only: query strings may carry signatures and keys.
		s.log.Debug("http", "method", c.Request().Method, "path", c.Request().URL.Path, "status", status,
			"ms", time.Since(start).Milliseconds(), "ip", c.RealIP())
		return err
	}
}

// trustOptions believes X-Forwarded-For from the configured proxies only.
func trustOptions(proxies []string) []echo.TrustOption {
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		if _, n, err := net.ParseCIDR(p); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		} else if ip := net.ParseIP(p); ip != nil {
			bits := 32
			if ip.To4() == nil {
				bits = 128
			}
			opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}))
		}
	}
	return opts
}
