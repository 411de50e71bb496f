package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			cfg, err := Load(tt.args)
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
		{"PAYGATE_SERVER_PUBLIC_URL", "pay.example.com", "server.public_url"},
		{"PAYGATE_SERVER_PUBLIC_URL", "https://pay.example.com/shop", "no path"},
		{"PAYGATE_SERVER_PUBLIC_URL", "ftp://pay.example.com", "server.public_url"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			clearEnv(t)
			t.Chdir(t.TempDir())
			t.Setenv(tt.env, tt.value)
			_, err := Load(nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %q", err, tt.want)
			}
		})
	}
	clearEnv(t)
	t.Chdir(t.TempDir())
	t.Setenv("PAYGATE_SERVER_PUBLIC_URL", "https://pay.example.com/")
	t.Setenv("PAYGATE_LINKS_RATE_LIMIT", "0")
	cfg, err := Load(nil)
	if err != nil || cfg.Server.PublicURL != "https://pay.example.com" || cfg.Links.RateLimit != 0 {
		t.Fatalf("good values: %+v, %v", cfg, err)
	}
}

func TestUnknownCommandIsAnError(t *testing.T) {
	clearEnv(t)
	if _, err := Load([]string{"serve"}); err == nil || !strings.Contains(err.Error(), `unknown command "serve"`) {
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
