package web

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/sign"
)

// health is GET /health: "ok" for anyone (liveness), and with ?detail=1 the
// owner's view — for the metrics token or an address in metrics.allow — with
// what needs them; GET /admin/health is that view for a console session
// (its cookie is sent under /admin only). The detailed answer is 503 while
// something needs the owner, so an uptime monitor can watch it.
func (s *Server) health(c echo.Context) error {
	forSession := c.Path() == "/admin/health" // behind requireAdmin
	if c.QueryParam("detail") == "" && !forSession {
		return c.JSON(http.StatusOK, map[string]any{
			"status":  "ok",
			"service": "paygate",
			"version": s.opts.Version,
			"time":    app.FormatTime(s.gw.Now()),
		})
	}
	if !forSession && !s.monitorAllowed(c) {
		return app.NewError(app.EUNAUTHORIZED, "",
			"详细健康信息只给店主看：请带上 Authorization: Bearer <metrics.token>，或从 metrics.allow 中的地址访问，或登录管理后台后打开 /admin/health。",
			"The detailed health is for the owner: send Authorization: Bearer <metrics.token>, ask from an address in metrics.allow, or sign in to the console and open /admin/health.")
	}
	v, err := s.gw.Vitals(c.Request().Context())
	if err != nil {
		return err
	}
	problems := v.Problems()
	if problems == nil {
		problems = []app.Problem{}
	}
	status, code := "ok", http.StatusOK
	if len(problems) > 0 {
		status, code = "problem", http.StatusServiceUnavailable
	}
	out := map[string]any{
		"status":   status,
		"problems": problems,
		"service":  "paygate",
		"version":  s.opts.Version,
		"time":     app.FormatTime(v.At),
		"db": map[string]any{"writable": v.DBWritable, "problem": v.DBProblem,
			"writeMs": v.WriteProbe.Milliseconds(), "bytes": v.DBBytes},
		"orders": map[string]any{"pending": v.OrdersPending},
		"callbacks": map[string]any{"pending": v.CallbacksPending, "due": v.CallbacksDue,
			"lagSeconds": lagSeconds(v.At, v.OldestDueCallback)},
		"notifications": map[string]any{"unapplied": v.NotificationsUnapplied,
			"lagSeconds": lagSeconds(v.At, v.OldestUnapplied)},
		"devices":      map[string]any{"total": v.Devices, "online": v.DevicesOnline},
		"backup":       nil,
		"replication":  nil,
		"certificates": []any{},
	}
	if !v.LastBackup.IsZero() {
		out["backup"] = map[string]any{"last": app.FormatTime(v.LastBackup), "ageSeconds": lagSeconds(v.At, v.LastBackup)}
	}
	if r := v.Replication; r != nil {
		repl := map[string]any{"target": r.Target, "lastSync": nil, "error": r.Error}
		if !r.LastSyncAt.IsZero() {
			repl["lastSync"], repl["ageSeconds"] = app.FormatTime(r.LastSyncAt), lagSeconds(v.At, r.LastSyncAt)
		}
		out["replication"] = repl
	}
	certs := make([]any, 0, len(v.Certificates))
	for _, cs := range v.Certificates {
		cert := map[string]any{"domain": cs.Domain, "notAfter": nil, "error": cs.Error}
		if !cs.NotAfter.IsZero() {
			cert["notAfter"] = app.FormatTime(cs.NotAfter)
		}
		certs = append(certs, cert)
	}
	out["certificates"] = certs
	return c.JSON(code, out)
}

// metrics is GET /metrics, the Prometheus exposition, for the metrics token
// or an address in metrics.allow only.
func (s *Server) metrics(c echo.Context) error {
	if s.opts.Metrics == nil || (s.opts.MetricsToken == "" && len(s.opts.MetricsAllow) == 0) {
		return app.NewError(app.EFORBIDDEN, "",
			"监控指标未开启：在 config.yaml 里设置 metrics.token（Prometheus 用 Bearer 令牌抓取）或 metrics.allow（允许的 IP 或网段）。",
			"Metrics are off: set metrics.token (Prometheus scrapes with it as a Bearer token) or metrics.allow (addresses or networks allowed) in config.yaml.")
	}
	if !s.monitorAllowed(c) {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="paygate metrics"`)
		return app.NewError(app.EUNAUTHORIZED, "",
			"请带上 Authorization: Bearer <metrics.token>，或从 metrics.allow 中的地址抓取。",
			"Send Authorization: Bearer <metrics.token>, or scrape from an address in metrics.allow.")
	}
	s.opts.Metrics.ServeHTTP(c.Response(), c.Request())
	return nil
}

// monitorAllowed: the request carries the metrics token, or comes from an
// address in metrics.allow (the client address as the server sees it:
// X-Forwarded-For only from server.trusted_proxies).
func (s *Server) monitorAllowed(c echo.Context) bool {
	if tok := s.opts.MetricsToken; tok != "" && sign.Equal(bearerToken(c), tok) {
		return true
	}
	ip := net.ParseIP(c.RealIP())
	for _, n := range s.monitorNets {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// parseNets reads IPs and CIDRs (config has checked them).
func parseNets(list []string) []*net.IPNet {
	var out []*net.IPNet
	for _, p := range list {
		p = strings.TrimSpace(p)
		if _, n, err := net.ParseCIDR(p); err == nil {
			out = append(out, n)
		} else if ip := net.ParseIP(p); ip != nil {
			bits := 8 * len(ip.To16())
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
		}
	}
	return out
}

func lagSeconds(now, t time.Time) int64 {
	if t.IsZero() || t.After(now) {
		return 0
	}
	return int64(now.Sub(t) / time.Second)
}
