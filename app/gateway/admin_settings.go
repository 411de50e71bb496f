package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/console"
)

// UpdateSettings validates and stores merchant settings; by is who asked
// (an admin's name or "api"), recorded in the audit log with what changed
// (never the API key itself).
func (g *Gateway) UpdateSettings(ctx context.Context, req ConfigRequest, by string) error {
	if err := g.updateSettings(ctx, req); err != nil {
		return err
	}
	var changed []string
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", req.Name}, {"description", req.Description}, {"callbackUrl", req.CallbackURL}, {"epayPid", req.EpayPID}, {"apiKey", req.APIKey}} {
		if f.v != nil {
			changed = append(changed, f.name)
		}
	}
	text := func(v *string) string {
		if v == nil {
			return ""
		}
		return strings.TrimSpace(*v)
	}
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditSettings, Detail: app.AuditFields(
		"changed", strings.Join(changed, ","), "callbackUrl", text(req.CallbackURL), "epayPid", text(req.EpayPID))})
}

// RotateAPIKey replaces the API key with a new random one and returns it.
// Merchant servers and forwarders using the old key stop working until updated.
// The first key is recorded as generated, not as replacing one.
func (g *Gateway) RotateAPIKey(ctx context.Context, by string) (string, error) {
	old, err := g.db.Settings(ctx)
	if err != nil {
		return "", err
	}
	key := newAPIKey()
	if err := g.updateSettings(ctx, ConfigRequest{APIKey: &key}); err != nil {
		return "", err
	}
	action := app.AuditAPIKeyRotate
	if old.APIKey == "" {
		action = app.AuditAPIKeyCreate
	}
	return key, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: action, Detail: "…" + key[len(key)-4:]})
}

// newAPIKey is 32 random URL-safe characters (192 bits) with a readable prefix.
func newAPIKey() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "pk_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// ParseTuningForm reads the form; validation of the ranges is UpdateTuning's.
// Pinned values are not read: config.yaml or the environment sets them, and
// the page shows them read-only.
func (g *Gateway) ParseTuningForm(f console.TuningForm) (app.Tuning, error) {
	st := g.TuningState()
	t := st.Tuning
	free := func(field string) bool { return !st.Source(field).Pinned() }
	var err error
	if free("orderLifetime") {
		if t.OrderLifetime, err = minutes("orderLifetime", f.OrderLifetimeMinutes, "订单有效期", "order lifetime"); err != nil {
			return t, err
		}
	}
	if free("matchWindow") {
		if t.Match.Window, err = minutes("matchWindow", f.MatchWindowMinutes, "自动匹配时限", "match window"); err != nil {
			return t, err
		}
	}
	if free("matchGrace") {
		if t.Match.Grace, err = minutes("matchGrace", f.MatchGraceMinutes, "订单结束后的缓冲时间", "grace period"); err != nil {
			return t, err
		}
	}
	if free("minAmount") {
		if t.MinAmount, err = app.ParseAmount("minAmount", f.MinAmount, true, 1, 100_000_000); err != nil {
			return t, err
		}
	}
	if free("maxAmount") {
		if t.MaxAmount, err = app.ParseAmount("maxAmount", f.MaxAmount, true, 1, 100_000_000); err != nil {
			return t, err
		}
	}
	if free("slotMaxOffset") {
		if t.Slots.MaxOffset, err = app.ParseAmount("slotMaxOffset", f.SlotMaxOffset, true, 0, 10000); err != nil {
			return t, err
		}
	}
	if free("slotMode") {
		t.Slots.Mode = app.SlotMode(strings.TrimSpace(f.SlotMode))
	}
	if free("autoConfirm") {
		t.Match.AutoConfirm = app.Confidence(strings.TrimSpace(f.AutoConfirm))
	}
	return t, nil
}

func minutes(field, s, zh, en string) (time.Duration, error) {
	var n int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != strings.TrimSpace(s) {
		return 0, app.NewError(app.EINVALID, field,
			zh+"请填写整数分钟数，例如 15（收到 "+app.Clip(s, 20)+"）。",
			"The "+en+" must be a whole number of minutes, e.g. 15 (got "+app.Clip(s, 20)+").")
	}
	return time.Duration(n) * time.Minute, nil
}

// UpdateTuning puts new order and matching rules in force; by is who asked,
// recorded in the audit log.
func (g *Gateway) UpdateTuning(ctx context.Context, t app.Tuning, by string) error {
	if err := g.updateTuning(ctx, t); err != nil {
		return err
	}
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditTuning, Detail: t.String()})
}

// SendTestCallback posts a signed sample callback to url (the saved callback
// URL when empty) and returns what the server answered.
func (g *Gateway) SendTestCallback(ctx context.Context, url, by string) (app.CallbackAttempt, error) {
	s, err := g.Settings(ctx)
	if err != nil {
		return app.CallbackAttempt{}, err
	}
	if strings.TrimSpace(url) == "" {
		url = s.CallbackURL
	}
	if strings.TrimSpace(url) == "" {
		return app.CallbackAttempt{}, app.NewError(app.EINVALID, "callbackUrl",
			"还没有回调地址：请先填写并保存回调地址，例如 https://shop.example.com/paygate/callback。",
			"There is no callback URL yet: enter and save one first, e.g. https://shop.example.com/paygate/callback.")
	}
	if url, err = app.ParseURL("callbackUrl", url); err != nil {
		return app.CallbackAttempt{}, err
	}
	if s.APIKey == "" {
		return app.CallbackAttempt{}, app.NewError(app.EINVALID, "apiKey",
			"还没有 API 密钥，无法签名：请先在本页生成 API 密钥。",
			"There is no API key to sign with: generate one on this page first.")
	}
	tester, ok := g.notifier.(CallbackTester)
	if !ok {
		return app.CallbackAttempt{}, app.NewError(app.EUNAVAILABLE, "",
			"这个 paygate 不能发送测试回调。", "This paygate cannot send test callbacks.")
	}
	a := tester.SendTest(ctx, url, s.APIKey)
	result := "ok"
	if !a.Acked {
		result = "failed"
	}
	return a, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditCallbackTest,
		Detail: app.AuditFields("url", url, "result", result, "error", a.Error)})
}
