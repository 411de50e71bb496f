package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"paygate/app"
)

// clearEnv hides every PAYGATE_ variable of the environment from the test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "PAYGATE_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

func TestAddrExplicit(t *testing.T) {
	withAddr := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(withAddr, []byte("server:\n  addr: \":4000\"\n"), 0o644)
	withoutAddr := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(withoutAddr, []byte("server:\n  # addr: \":3000\"\n  open_browser: false\n"), 0o644)
	tests := []struct {
		name     string
		args     []string
		env      string
		wantAddr string
		explicit bool
	}{
		{"nothing set: :3000, may move", nil, "", ":3000", false},
		{"config file without addr", []string{"--config", withoutAddr}, "", ":3000", false},
		{"config file with addr", []string{"--config", withAddr}, "", ":4000", true},
		{"environment", nil, "127.0.0.1:3000", "127.0.0.1:3000", true},
		{"flag", []string{"--addr", ":3002"}, "", ":3002", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Chdir(t.TempDir())
			if tt.env != "" {
				t.Setenv("PAYGATE_SERVER_ADDR", tt.env)
			}
			cfg, err := LoadOrCreate(tt.args, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Server.Addr != tt.wantAddr || cfg.Server.AddrExplicit != tt.explicit {
				t.Fatalf("addr %q explicit %v, want %q %v", cfg.Server.Addr, cfg.Server.AddrExplicit, tt.wantAddr, tt.explicit)
			}
		})
	}
}

func TestBadValuesNameTheKey(t *testing.T) {
	tests := []struct {
		env, value, want string
	}{
		{"PAYGATE_LINKS_RATE_LIMIT", "lots", "links.rate_limit"},
		{"PAYGATE_LINKS_RATE_LIMIT", "-1", "links.rate_limit"},
		{"PAYGATE_LINKS_MAX_PENDING_PER_IP", "three", "links.max_pending_per_ip"},
		{"PAYGATE_LINKS_MAX_PENDING_PER_IP", "-1", "links.max_pending_per_ip"},
		{"PAYGATE_LINKS_MAX_PENDING_PER_LINK", "2.5", "links.max_pending_per_link"},
		{"PAYGATE_SERVER_PUBLIC_URL", "pay.example.com", "server.public_url"},
		{"PAYGATE_SERVER_PUBLIC_URL", "https://pay.example.com/shop", "no path"},
		{"PAYGATE_SERVER_PUBLIC_URL", "ftp://pay.example.com", "server.public_url"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			clearEnv(t)
			t.Chdir(t.TempDir())
			t.Setenv(tt.env, tt.value)
			_, err := LoadOrCreate(nil, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %q", err, tt.want)
			}
		})
	}
	clearEnv(t)
	t.Chdir(t.TempDir())
	t.Setenv("PAYGATE_SERVER_PUBLIC_URL", "https://pay.example.com/")
	t.Setenv("PAYGATE_LINKS_RATE_LIMIT", "0")
	cfg, err := LoadOrCreate(nil, nil)
	if err != nil || cfg.Server.PublicURL != "https://pay.example.com" || cfg.Links.RateLimit != 0 {
		t.Fatalf("good values: %+v, %v", cfg, err)
	}
	if cfg.Links.MaxPendingPerIP != 3 || cfg.Links.MaxPendingPerLink != 20 {
		t.Fatalf("link caps by default: %+v, want 3 per IP, 20 per link", cfg.Links)
	}
	// server.rate_limit 0 (load tests) turns rate limits off, not the caps
	// that keep strangers from holding a price's amounts.
	t.Setenv("PAYGATE_SERVER_RATE_LIMIT", "0")
	t.Setenv("PAYGATE_LINKS_MAX_PENDING_PER_LINK", "0")
	if cfg, err = LoadOrCreate(nil, nil); err != nil || cfg.Links.MaxPendingPerIP != 3 || cfg.Links.MaxPendingPerLink != 0 {
		t.Fatalf("caps with server.rate_limit 0: %+v, %v", cfg.Links, err)
	}
}

func TestUnknownCommandIsAnError(t *testing.T) {
	clearEnv(t)
	if _, err := LoadOrCreate([]string{"serve"}, nil); err == nil || !strings.Contains(err.Error(), `unknown command "serve"`) {
		t.Fatalf("err = %v", err)
	}
}

// Under go test (and go run) the executable lives in a temporary build
// directory: nothing is written beside it, the working directory is used.
func TestNoConfigWrittenBesideATemporaryBuild(t *testing.T) {
	clearEnv(t)
	wd := t.TempDir()
	t.Chdir(wd)
	cfg, err := LoadOrCreate(nil, []byte("server:\n  open_browser: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Created || cfg.File != "" || cfg.Server.OpenBrowser {
		t.Fatalf("created=%v file=%q open=%v, want nothing written and no browser", cfg.Created, cfg.File, cfg.Server.OpenBrowser)
	}
	if want := filepath.Join(wd, "data"); cfg.Data.Dir != want {
		t.Fatalf("data dir %q, want %q", cfg.Data.Dir, want)
	}
	if _, err := os.Stat(filepath.Join(executableDir(), "config.yaml")); err == nil {
		t.Fatal("config.yaml was written beside the test binary")
	}
}

func TestConsoleKeysArePinnedWhereSet(t *testing.T) {
	dir := t.TempDir()
	withRules := filepath.Join(dir, "rules.yaml")
	os.WriteFile(withRules, []byte("order:\n  lifetime: 10m\n  # min_amount: \"1\"\nforwarder:\n  accept_api_key: false\n"), 0o644)
	fileSrc := app.Source{Kind: app.SourceFile, Name: withRules}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		want     map[string]app.Source
		lifetime time.Duration
		acceptAK bool
	}{
		{"nothing set: defaults, nothing pinned", nil, nil, map[string]app.Source{}, 15 * time.Minute, true},
		{"config file", []string{"--config", withRules}, nil,
			map[string]app.Source{"order.lifetime": fileSrc, "forwarder.accept_api_key": fileSrc}, 10 * time.Minute, false},
		{"environment", nil, map[string]string{"PAYGATE_ORDER_LIFETIME": "5m", "PAYGATE_MATCH_GRACE": "3m"},
			map[string]app.Source{"order.lifetime": {Kind: app.SourceEnv, Name: "PAYGATE_ORDER_LIFETIME"}, "match.grace": {Kind: app.SourceEnv, Name: "PAYGATE_MATCH_GRACE"}},
			5 * time.Minute, true},
		{"environment over the file", []string{"--config", withRules}, map[string]string{"PAYGATE_ORDER_LIFETIME": "5m"},
			map[string]app.Source{"order.lifetime": {Kind: app.SourceEnv, Name: "PAYGATE_ORDER_LIFETIME"}, "forwarder.accept_api_key": fileSrc},
			5 * time.Minute, false},
		{"empty environment variable is not set", nil, map[string]string{"PAYGATE_ORDER_LIFETIME": ""}, map[string]app.Source{}, 15 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Chdir(t.TempDir())
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg, err := LoadOrCreate(tt.args, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.Pinned, tt.want) {
				t.Errorf("pinned %v, want %v", cfg.Pinned, tt.want)
			}
			if cfg.Order.Lifetime != tt.lifetime || cfg.Forwarder.AcceptAPIKey != tt.acceptAK {
				t.Errorf("lifetime %s accept_api_key %v, want %s %v", cfg.Order.Lifetime, cfg.Forwarder.AcceptAPIKey, tt.lifetime, tt.acceptAK)
			}
		})
	}
}

// The shipped config.yaml (also the template a first start writes) leaves
// every console key to the console.
func TestShippedConfigPinsNothing(t *testing.T) {
	clearEnv(t)
	cfg, err := LoadOrCreate([]string{"--config", "../../config.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Pinned) != 0 {
		t.Fatalf("config.yaml pins %v: the console could not change them", cfg.Pinned)
	}
	if !cfg.Forwarder.AcceptAPIKey || cfg.Forwarder.SignWindow != 15*time.Minute {
		t.Fatalf("forwarder %+v, want the API key accepted and a 15m sign window", cfg.Forwarder)
	}
}

// Values that would silently break matching are refused with a message
// naming the keys and what to do.
func TestSettingsThatBreakMatchingAreRefused(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(rules, []byte("order:\n  lifetime: 30m\n"), 0o644)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // "" = accepted
	}{
		{"lifetime longer than window", nil, map[string]string{"PAYGATE_ORDER_LIFETIME": "20m", "PAYGATE_MATCH_WINDOW": "15m"},
			[]string{"order.lifetime (20m, from PAYGATE_ORDER_LIFETIME)", "match.window (15m, from PAYGATE_MATCH_WINDOW)", "never matches", "PAYGATE_MATCH_WINDOW) to at least 20m"}},
		{"lifetime longer than the default window", nil, map[string]string{"PAYGATE_ORDER_LIFETIME": "1h"},
			[]string{"order.lifetime (1h, from PAYGATE_ORDER_LIFETIME)", "match.window (15m, the default)"}},
		{"lifetime in the file", []string{"--config", rules}, nil,
			[]string{"order.lifetime (30m, from config.yaml)", "match.window (15m, the default)"}},
		{"window shorter than the default lifetime", nil, map[string]string{"PAYGATE_MATCH_WINDOW": "10m"},
			[]string{"order.lifetime (15m, the default)", "match.window (10m, from PAYGATE_MATCH_WINDOW)", "order.lifetime (PAYGATE_ORDER_LIFETIME) to at most 10m"}},
		{"both raised", nil, map[string]string{"PAYGATE_ORDER_LIFETIME": "20m", "PAYGATE_MATCH_WINDOW": "20m"}, nil},
		{"short lifetime for tests", nil, map[string]string{"PAYGATE_ORDER_LIFETIME": "4s"}, nil},
		{"grace 0", nil, map[string]string{"PAYGATE_MATCH_GRACE": "0s"}, []string{"match.grace", "late or repeated notification"}},
		{"window 0", nil, map[string]string{"PAYGATE_MATCH_WINDOW": "0s"}, []string{"match.window", "between 1s and 24h"}},
		{"lifetime over a day", nil, map[string]string{"PAYGATE_ORDER_LIFETIME": "25h", "PAYGATE_MATCH_WINDOW": "25h"}, []string{"order.lifetime", "match.window"}},
		{"sign window too short", nil, map[string]string{"PAYGATE_FORWARDER_SIGN_WINDOW": "10s"}, []string{"forwarder.sign_window", "PAYGATE_FORWARDER_SIGN_WINDOW", "between 1m and 24h"}},
		{"sign window too long", nil, map[string]string{"PAYGATE_FORWARDER_SIGN_WINDOW": "48h"}, []string{"forwarder.sign_window"}},
		{"accept_api_key not a bool", nil, map[string]string{"PAYGATE_FORWARDER_ACCEPT_API_KEY": "maybe"}, []string{"forwarder.accept_api_key", "true or false"}},
		{"min above max", nil, map[string]string{"PAYGATE_ORDER_MIN_AMOUNT": "20", "PAYGATE_ORDER_MAX_AMOUNT": "10"}, []string{"order.max_amount", "order.min_amount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Chdir(t.TempDir())
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := LoadOrCreate(tt.args, nil)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

// notifications.retention takes days or a duration; 0 keeps everything.
func TestNotificationRetention(t *testing.T) {
	tests := []struct {
		value string // "" = the default
		want  time.Duration
		bad   string
	}{
		{"", 90 * 24 * time.Hour, ""},
		{"30d", 30 * 24 * time.Hour, ""},
		{"720h", 30 * 24 * time.Hour, ""},
		{"0", 0, ""},
		{"0d", 0, ""},
		{"3d", 0, "at least 7d"},
		{"1h", 0, "at least 7d"},
		{"ninety", 0, "like 15m"},
		{"x d", 0, "number of days"},
		{"-5d", 0, "number of days"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			clearEnv(t)
			t.Chdir(t.TempDir())
			if tt.value != "" {
				t.Setenv("PAYGATE_NOTIFICATIONS_RETENTION", tt.value)
			}
			cfg, err := LoadOrCreate(nil, nil)
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad) || !strings.Contains(err.Error(), "notifications.retention") {
					t.Fatalf("error %v, want one naming notifications.retention and saying %q", err, tt.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Notifications.Retention != tt.want {
				t.Fatalf("retention %v, want %v", cfg.Notifications.Retention, tt.want)
			}
		})
	}
}

// TestInvalidConfigurationSaysSoInChinese: the start-up refusal opens with a
// Chinese line, then one indented line per wrong setting.
func TestInvalidConfigurationSaysSoInChinese(t *testing.T) {
	_, err := loadWith(t, map[string]string{"PAYGATE_ORDER_LIFETIME": "abc", "PAYGATE_MATCH_GRACE": "0"})
	if err == nil {
		t.Fatal("loaded")
	}
	lines := strings.Split(err.Error(), "\n")
	if !strings.HasPrefix(lines[0], "配置有误") || len(lines) < 4 {
		t.Fatalf("message:\n%s", err)
	}
	for _, l := range lines[2:] {
		if !strings.HasPrefix(l, "  ") {
			t.Fatalf("line %q is not indented under the header:\n%s", l, err)
		}
	}
	if !strings.Contains(err.Error(), "order.lifetime (env PAYGATE_ORDER_LIFETIME)") || !strings.Contains(err.Error(), "match.grace (env PAYGATE_MATCH_GRACE)") {
		t.Fatalf("the settings are not named:\n%s", err)
	}
}
