package gateway

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/store"
	"paygate/app/store/storetest"
)

var configDefaults = app.Tuning{
	OrderLifetime: 15 * time.Minute, MinAmount: 1, MaxAmount: 1_000_000,
	Slots: app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 50},
	Match: app.MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: app.ConfidenceMedium},
}

const tuningTestKey = "tuning-test-api-key"

// openSettingsDB opens (or reopens) the database in dir.
func openSettingsDB(t *testing.T, dir string) *store.DB {
	t.Helper()
	db := storetest.OpenDir(t, dir, nil)
	storetest.Seed(t, db, tuningTestKey, "")
	return db
}

// startGateway is a gateway on db as main starts one: config values as
// defaults, pinned ones named, the console's values loaded.
func startGateway(t *testing.T, db *store.DB, defaults app.Tuning, pinned map[string]app.Source, refuseAPIKey bool) *Gateway {
	t.Helper()
	g := New(db, quietNotifier{}, Options{Defaults: defaults, Pinned: pinned, RefuseAPIKeyFromPhones: refuseAPIKey,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := g.LoadTuning(context.Background()); err != nil {
		t.Fatal(err)
	}
	return g
}

var envLifetime = map[string]app.Source{"order.lifetime": {Kind: app.SourceEnv, Name: "PAYGATE_ORDER_LIFETIME"}}

func TestStoredRulesMeetPinnedOnes(t *testing.T) {
	twelve := configDefaults
	twelve.OrderLifetime = 12 * time.Minute
	tests := []struct {
		name     string
		defaults app.Tuning
		pinned   map[string]app.Source
		stored   map[string]string
		want     func(app.Tuning) bool
		sources  map[string]app.SourceKind
		setAside map[string]string // field → "" (pinned) or a word of the clash message
	}{
		{"nothing saved", configDefaults, nil, nil,
			func(t app.Tuning) bool { return t == configDefaults },
			map[string]app.SourceKind{"orderLifetime": app.SourceDefault, "matchWindow": app.SourceDefault}, nil},
		{"saved in the console", configDefaults, nil, map[string]string{keyLifetime: "20m0s", keyWindow: "25m0s"},
			func(t app.Tuning) bool { return t.OrderLifetime == 20*time.Minute && t.Match.Window == 25*time.Minute },
			map[string]app.SourceKind{"orderLifetime": app.SourceConsole, "matchWindow": app.SourceConsole, "matchGrace": app.SourceDefault}, nil},
		{"pinned wins over saved", twelve, envLifetime, map[string]string{keyLifetime: "5m0s"},
			func(t app.Tuning) bool { return t.OrderLifetime == 12*time.Minute },
			map[string]app.SourceKind{"orderLifetime": app.SourceEnv}, map[string]string{"orderLifetime": ""}},
		{"saved window shorter than a pinned lifetime", twelve, envLifetime, map[string]string{keyWindow: "10m0s", keyMinAmount: "1"},
			func(t app.Tuning) bool {
				return t.OrderLifetime == 12*time.Minute && t.Match.Window == 15*time.Minute && t.MinAmount == 100
			},
			map[string]app.SourceKind{"orderLifetime": app.SourceEnv, "matchWindow": app.SourceDefault, "minAmount": app.SourceConsole},
			map[string]string{"matchWindow": "PAYGATE_ORDER_LIFETIME"}},
		{"saved lifetime longer than the window (old console)", configDefaults, nil, map[string]string{keyLifetime: "30m0s"},
			func(t app.Tuning) bool { return t.OrderLifetime == 15*time.Minute },
			map[string]app.SourceKind{"orderLifetime": app.SourceDefault}, map[string]string{"orderLifetime": "自动匹配时限"}},
		{"saved grace of 0 (old console)", configDefaults, nil, map[string]string{keyGrace: "0s", keyAutoConfirm: "high"},
			func(t app.Tuning) bool {
				return t.Match.Grace == 10*time.Minute && t.Match.AutoConfirm == app.ConfidenceHigh
			},
			map[string]app.SourceKind{"matchGrace": app.SourceDefault, "autoConfirm": app.SourceConsole}, map[string]string{"matchGrace": "1440"}},
		{"saved maximum below saved minimum", configDefaults, nil, map[string]string{keyMinAmount: "200", keyMaxAmount: "100"},
			func(t app.Tuning) bool { return t.MinAmount == 20000 && t.MaxAmount == 1_000_000 },
			map[string]app.SourceKind{"minAmount": app.SourceConsole, "maxAmount": app.SourceDefault}, map[string]string{"maxAmount": "最小金额"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSettingsDB(t, t.TempDir())
			if len(tt.stored) > 0 {
				if err := db.PutSettings(context.Background(), tt.stored); err != nil {
					t.Fatal(err)
				}
			}
			g := startGateway(t, db, tt.defaults, tt.pinned, false)
			st := g.TuningState()
			if !tt.want(st.Tuning) || g.Tuning() != st.Tuning {
				t.Errorf("in force: %s", st.Tuning)
			}
			for field, kind := range tt.sources {
				if got := st.Source(field).Kind; got != kind {
					t.Errorf("%s from %q, want %q", field, got, kind)
				}
			}
			if len(st.SetAside) != len(tt.setAside) {
				t.Errorf("set aside %v, want %v", st.SetAside, tt.setAside)
			}
			for field, word := range tt.setAside {
				why, ok := st.SetAside[field]
				switch {
				case !ok:
					t.Errorf("%s not set aside", field)
				case word == "" && why != nil:
					t.Errorf("%s set aside for %v, want because pinned", field, why)
				case word != "" && (why == nil || !strings.Contains(why.Zh, word)):
					t.Errorf("%s set aside for %v, want a clash saying %q", field, why, word)
				}
			}
		})
	}
}

func TestConsoleRulesRespectPinnedValues(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	twelve := configDefaults
	twelve.OrderLifetime = 12 * time.Minute
	g := startGateway(t, openSettingsDB(t, dir), twelve, envLifetime, false)
	form := console.TuningForm{OrderLifetimeMinutes: "30", MatchWindowMinutes: "10", MatchGraceMinutes: "10", MinAmount: "0.01",
		MaxAmount: "10000", SlotMode: "alternate", SlotMaxOffset: "0.50", AutoConfirm: "medium"}

	// The form's lifetime is not read; the window it asks is shorter than the pinned lifetime.
	rules, err := g.ParseTuningForm(form)
	if err != nil || rules.OrderLifetime != 12*time.Minute {
		t.Fatalf("parsed %s, %v", rules, err)
	}
	err = g.updateTuning(ctx, rules)
	if app.ErrorField(err) != "matchWindow" || !strings.Contains(app.ErrorMessage(err, "zh"), "由环境变量 PAYGATE_ORDER_LIFETIME 设置") ||
		!strings.Contains(app.ErrorMessage(err, "en"), "at least 12 min") {
		t.Fatalf("window 10 under a pinned 12m lifetime: %v", err)
	}

	form.MatchWindowMinutes = "20"
	form.MinAmount = "0.01" // unchanged: stays the default
	rules, _ = g.ParseTuningForm(form)
	if err := g.updateTuning(ctx, rules); err != nil {
		t.Fatal(err)
	}
	st := g.TuningState()
	if st.OrderLifetime != 12*time.Minute || st.Match.Window != 20*time.Minute ||
		st.Source("matchWindow").Kind != app.SourceConsole || st.Source("minAmount").Kind != app.SourceDefault || !st.Source("orderLifetime").Pinned() {
		t.Fatalf("after save: %s %v", st.Tuning, st.Sources)
	}
	stored, _ := g.db.SettingValues(ctx, "tuning.")
	if len(stored) != 1 || stored[keyWindow] != "20m0s" {
		t.Fatalf("stored %v, want only the window", stored)
	}

	// Unpinned later, the lifetime is the default again, the console's window stays.
	g = startGateway(t, openSettingsDB(t, dir), configDefaults, nil, false)
	if st := g.TuningState(); st.OrderLifetime != 15*time.Minute || st.Match.Window != 20*time.Minute {
		t.Fatalf("unpinned: %s", st.Tuning)
	}
}

func TestConsoleRefusesRulesThatBreakMatching(t *testing.T) {
	g := startGateway(t, openSettingsDB(t, t.TempDir()), configDefaults, nil, false)
	base := console.TuningForm{OrderLifetimeMinutes: "15", MatchWindowMinutes: "15", MatchGraceMinutes: "10", MinAmount: "0.01",
		MaxAmount: "10000", SlotMode: "alternate", SlotMaxOffset: "0.50", AutoConfirm: "medium"}
	tests := []struct {
		name  string
		edit  func(*console.TuningForm)
		field string // "" = saved
		words []string
	}{
		{"lifetime longer than the window", func(f *console.TuningForm) { f.OrderLifetimeMinutes = "30" }, "orderLifetime",
			[]string{"订单有效期（30 分钟）", "自动匹配时限（15 分钟", "不会自动匹配", "at least 30 min"}},
		{"window shorter than the lifetime", func(f *console.TuningForm) { f.MatchWindowMinutes = "5" }, "orderLifetime", []string{"5 分钟"}},
		{"both longer together", func(f *console.TuningForm) { f.OrderLifetimeMinutes, f.MatchWindowMinutes = "30", "30" }, "", nil},
		{"grace 0", func(f *console.TuningForm) { f.MatchGraceMinutes = "0" }, "matchGrace", []string{"新订单", "new order"}},
		{"maximum below minimum", func(f *console.TuningForm) { f.MinAmount, f.MaxAmount = "50", "20" }, "maxAmount", []string{"最小金额"}},
		{"window over a day", func(f *console.TuningForm) { f.MatchWindowMinutes = "1441" }, "matchWindow", []string{"1440"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			tt.edit(&f)
			before := g.Tuning()
			rules, err := g.ParseTuningForm(f)
			if err == nil {
				err = g.updateTuning(context.Background(), rules)
			}
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if app.ErrorField(err) != tt.field || app.ErrorCode(err) != app.EINVALID {
				t.Fatalf("err %v, want invalid %s", err, tt.field)
			}
			msg := app.ErrorMessage(err, "zh") + app.ErrorMessage(err, "en")
			for _, w := range tt.words {
				if !strings.Contains(msg, w) {
					t.Errorf("message does not say %q: %s", w, msg)
				}
			}
			if g.Tuning() != before {
				t.Errorf("a refused save changed the rules: %s", g.Tuning())
			}
		})
	}
}

// A console value set aside at start is overwritten by the next save, so it
// does not come back at the following start.
func TestSavingAgainReplacesASetAsideValue(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openSettingsDB(t, dir)
	db.PutSettings(ctx, map[string]string{keyLifetime: "30m0s"})
	g := startGateway(t, db, configDefaults, nil, false)
	if _, ok := g.TuningState().SetAside["orderLifetime"]; !ok {
		t.Fatal("the 30m lifetime over a 15m window was not set aside")
	}
	if err := g.updateTuning(ctx, g.Tuning()); err != nil {
		t.Fatal(err)
	}
	g = startGateway(t, openSettingsDB(t, dir), configDefaults, nil, false)
	if st := g.TuningState(); len(st.SetAside) != 0 || st.OrderLifetime != 15*time.Minute {
		t.Fatalf("after saving again: %s, set aside %v", st.Tuning, st.SetAside)
	}
}

func TestAPIKeyAsPhoneKeySwitch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	g := startGateway(t, openSettingsDB(t, dir), configDefaults, nil, false)
	dev, err := g.CreateDevice(ctx, "店里的手机", "admin")
	if err != nil {
		t.Fatal(err)
	}
	is := func(secret string) func(string) bool { return func(s string) bool { return s == secret } }
	if _, ok, err := g.identify(ctx, is(tuningTestKey)); !ok || err != nil {
		t.Fatalf("API key by default: %v %v", ok, err)
	}
	if f := g.APIKeyForwarding(); !f.On || f.Source.Kind != app.SourceDefault {
		t.Fatalf("default: %+v", f)
	}
	if err := g.SetAPIKeyForwarding(ctx, "maybe", "admin"); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("accept=maybe: %v", err)
	}
	if err := g.SetAPIKeyForwarding(ctx, "off", "admin"); err != nil {
		t.Fatal(err)
	}
	_, ok, err := g.identify(ctx, is(tuningTestKey))
	if ok || app.ErrorCode(err) != app.EUNAUTHORIZED || !strings.Contains(app.ErrorMessage(err, "zh"), "“设备”页") {
		t.Fatalf("API key after switching off: %v %v", ok, err)
	}
	if id, ok, err := g.identify(ctx, is(dev.Key)); !ok || err != nil || id != dev.ID {
		t.Fatalf("device key after switching off: %d %v %v", id, ok, err)
	}
	if _, ok, err := g.identify(ctx, is("nobody")); ok || err != nil {
		t.Fatalf("unknown key: %v %v", ok, err)
	}
	log, _, err := g.db.AuditLog(ctx, app.AuditFilter{Limit: 10})
	if err != nil || len(log) == 0 || log[0].Action != app.AuditAPIKeyForwardingOff || log[0].Actor != "admin" {
		t.Fatalf("audit: %v %v", log, err)
	}

	// Kept across a restart.
	g = startGateway(t, openSettingsDB(t, dir), configDefaults, nil, false)
	if f := g.APIKeyForwarding(); f.On || f.Source.Kind != app.SourceConsole {
		t.Fatalf("after restart: %+v", f)
	}

	// Pinned on by config.yaml: the console's off is not in force and cannot be changed.
	file := map[string]app.Source{"forwarder.accept_api_key": {Kind: app.SourceFile, Name: filepath.Join(dir, "config.yaml")}}
	g = startGateway(t, openSettingsDB(t, dir), configDefaults, file, false)
	f := g.APIKeyForwarding()
	if !f.On || !f.Source.Pinned() || f.Saved == nil || *f.Saved {
		t.Fatalf("pinned on over a saved off: %+v", f)
	}
	if err := g.SetAPIKeyForwarding(ctx, "off", "admin"); app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err, "zh"), "由 config.yaml 设置") {
		t.Fatalf("switching a pinned switch: %v", err)
	}
	if _, ok, err := g.identify(ctx, is(tuningTestKey)); !ok || err != nil {
		t.Fatalf("API key pinned on: %v %v", ok, err)
	}

	// Pinned off by the environment, nothing saved.
	env := map[string]app.Source{"forwarder.accept_api_key": {Kind: app.SourceEnv, Name: "PAYGATE_FORWARDER_ACCEPT_API_KEY"}}
	g = startGateway(t, openSettingsDB(t, t.TempDir()), configDefaults, env, true)
	if _, ok, err := g.identify(ctx, is(tuningTestKey)); ok || app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("API key pinned off: %v %v", ok, err)
	}
}
