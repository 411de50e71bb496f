package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"paygate/app"
)

// The public address is pinned where it is set — config.yaml, the
// environment or --public-url — and left to the console otherwise; an empty
// value (older config.yaml files have public_url: "") pins nothing.
func TestPublicURLPinned(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(empty, []byte("server:\n  public_url: \"\"\n"), 0o644)
	set := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(set, []byte("server:\n  public_url: \"https://file.example.com/\"\n"), 0o644)
	for _, tt := range []struct {
		name string
		args []string
		env  string
		url  string
		kind app.SourceKind
	}{
		{"empty in the file", []string{"--config", empty}, "", "", app.SourceDefault},
		{"set in the file", []string{"--config", set}, "", "https://file.example.com", app.SourceFile},
		{"environment", []string{"--config", empty}, "https://env.example.com", "https://env.example.com", app.SourceEnv},
		{"flag", []string{"--config", set, "--public-url", "https://flag.example.com"}, "", "https://flag.example.com", app.SourceFlag},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			if tt.env != "" {
				t.Setenv("PAYGATE_SERVER_PUBLIC_URL", tt.env)
			}
			cfg, err := LoadOrCreate(tt.args, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Server.PublicURL != tt.url || cfg.Pinned["server.public_url"].Kind != tt.kind {
				t.Fatalf("public_url %q pinned %+v, want %q %s", cfg.Server.PublicURL, cfg.Pinned["server.public_url"], tt.url, tt.kind)
			}
		})
	}
}

func TestAlertsConfig(t *testing.T) {
	clearEnv(t)
	cfg, err := LoadOrCreate([]string{"--config", "../../config.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Alerts
	if a.MaxPerHour != 20 || a.Settle != time.Minute || a.OrderSilence != 10*time.Minute || a.DiskMinFree != 500<<20 ||
		a.BarkURL != "https://api.day.app" || a.ServerChanURL != "https://sctapi.ftqq.com" || a.TelegramURL != "https://api.telegram.org" {
		t.Fatalf("alerts %+v", a)
	}
	for key, bad := range map[string]string{
		"PAYGATE_ALERTS_MAX_PER_HOUR":   "-1",
		"PAYGATE_ALERTS_ORDER_SILENCE":  "10s",
		"PAYGATE_ALERTS_TELEGRAM_URL":   "api.telegram.org",
		"PAYGATE_ALERTS_SETTLE":         "soon",
		"PAYGATE_ALERTS_SERVERCHAN_URL": "ftp://sct.example",
	} {
		t.Run(key, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(key, bad)
			if _, err := LoadOrCreate(nil, nil); err == nil {
				t.Fatalf("%s=%s accepted", key, bad)
			}
		})
	}
}
