package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paygate/app"
)

func loadWith(t *testing.T, env map[string]string) (*Config, error) {
	t.Helper()
	clearEnv(t)
	t.Chdir(t.TempDir())
	for k, v := range env {
		t.Setenv(k, v)
	}
	return LoadOrCreate(nil, nil)
}

func TestAutomaticHTTPSSettings(t *testing.T) {
	cert := filepath.Join(t.TempDir(), "cert.pem")
	os.WriteFile(cert, []byte("x"), 0o600)
	for _, tt := range []struct {
		name    string
		env     map[string]string
		check   func(*Config) bool
		wantErr string
	}{
		{"domain: :443, :80, https public URL, Let's Encrypt", map[string]string{"PAYGATE_SERVER_DOMAIN": "Pay.Example.com"}, func(c *Config) bool {
			return c.Server.Addr == ":443" && c.Server.AddrExplicit && c.Server.HTTPAddr == ":80" && c.Server.PublicURL == "https://pay.example.com" && c.Pinned["server.public_url"].Kind == app.SourceEnv &&
				c.Server.ACMEDirectory == ACMEDirectories["letsencrypt"] && len(c.Server.Domains) == 1 && c.Server.Domains[0] == "pay.example.com"
		}, ""},
		{"two domains, own ports", map[string]string{"PAYGATE_SERVER_DOMAIN": "pay.example.com, shop.example.com", "PAYGATE_SERVER_ADDR": ":8443", "PAYGATE_SERVER_HTTP_ADDR": ":8080"}, func(c *Config) bool {
			return len(c.Server.Domains) == 2 && c.Server.Addr == ":8443" && c.Server.HTTPAddr == ":8080" && c.Server.PublicURL == "https://pay.example.com:8443"
		}, ""},
		{"a set public_url stays", map[string]string{"PAYGATE_SERVER_DOMAIN": "pay.example.com", "PAYGATE_SERVER_PUBLIC_URL": "https://shop.example.com"}, func(c *Config) bool {
			return c.Server.PublicURL == "https://shop.example.com"
		}, ""},
		{"no domain: nothing changes", nil, func(c *Config) bool {
			return c.Server.Addr == ":3000" && !c.Server.AddrExplicit && c.Server.HTTPAddr == "" && len(c.Server.Domains) == 0
		}, ""},
		{"ZeroSSL with EAB", map[string]string{"PAYGATE_SERVER_DOMAIN": "pay.example.com", "PAYGATE_SERVER_ACME_DIRECTORY": "zerossl",
			"PAYGATE_SERVER_ACME_EAB_KID": "kid123", "PAYGATE_SERVER_ACME_EAB_HMAC_KEY": "c2VjcmV0LWhtYWMta2V5"}, func(c *Config) bool {
			return c.Server.ACMEDirectory == "https://acme.zerossl.com/v2/DV90" && c.Server.ACMEEABKeyID == "kid123"
		}, ""},
		{"any directory URL", map[string]string{"PAYGATE_SERVER_ACME_DIRECTORY": "https://ca.internal/acme/directory"}, func(c *Config) bool {
			return c.Server.ACMEDirectory == "https://ca.internal/acme/directory"
		}, ""},
		{"a URL is not a domain", map[string]string{"PAYGATE_SERVER_DOMAIN": "https://pay.example.com"}, nil, "not a domain name"},
		{"a name without a dot", map[string]string{"PAYGATE_SERVER_DOMAIN": "localhost"}, nil, "not a domain name"},
		{"an IP address", map[string]string{"PAYGATE_SERVER_DOMAIN": "203.0.113.7"}, nil, "an IP address cannot get a certificate"},
		{"domain and certificate files", map[string]string{"PAYGATE_SERVER_DOMAIN": "pay.example.com", "PAYGATE_SERVER_TLS_CERT": cert, "PAYGATE_SERVER_TLS_KEY": cert}, nil, "not both"},
		{"ZeroSSL without EAB", map[string]string{"PAYGATE_SERVER_DOMAIN": "pay.example.com", "PAYGATE_SERVER_ACME_DIRECTORY": "zerossl"}, nil, "ZeroSSL needs EAB"},
		{"half an EAB", map[string]string{"PAYGATE_SERVER_ACME_EAB_KID": "kid"}, nil, "go together"},
		{"plain-HTTP directory", map[string]string{"PAYGATE_SERVER_ACME_DIRECTORY": "http://ca.example/dir"}, nil, "https URL of an ACME directory"},
		{"missing CA root file", map[string]string{"PAYGATE_SERVER_ACME_CA_ROOT": "/nonexistent/root.pem"}, nil, "server.acme_ca_root"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadWith(t, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Fatalf("server: %+v", cfg.Server)
			}
		})
	}
}

func TestLogAndMetricsSettings(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		check   func(*Config) bool
		wantErr string
	}{
		{"defaults", nil, func(c *Config) bool {
			return c.Log.Auto && c.Log.File == "" && !c.Log.JSON && c.Log.Level == slog.LevelInfo && c.Log.MaxSize == 100 &&
				c.Log.MaxAge == 30*24*time.Hour && c.Log.Compress && c.Metrics.Token == "" && len(c.Metrics.Allow) == 0 &&
				c.LogFile(true) == filepath.Join(c.Data.Dir, "logs", "paygate.log") && c.LogFile(false) == ""
		}, ""},
		{"a file, JSON, debug, 10MB, 7 days", map[string]string{"PAYGATE_LOG_FILE": "/var/log/paygate/paygate.log", "PAYGATE_LOG_FORMAT": "json",
			"PAYGATE_LOG_LEVEL": "debug", "PAYGATE_LOG_MAX_SIZE": "10MB", "PAYGATE_LOG_MAX_AGE": "7d", "PAYGATE_LOG_COMPRESS": "false"}, func(c *Config) bool {
			return !c.Log.Auto && c.LogFile(false) == "/var/log/paygate/paygate.log" && c.Log.JSON && c.Log.Level == slog.LevelDebug &&
				c.Log.MaxSize == 10 && c.Log.MaxAge == 7*24*time.Hour && !c.Log.Compress
		}, ""},
		{"off, even as a service", map[string]string{"PAYGATE_LOG_FILE": "off"}, func(c *Config) bool { return c.LogFile(true) == "" }, ""},
		{"metrics token and allow-list", map[string]string{"PAYGATE_METRICS_TOKEN": "0123456789abcdef0123", "PAYGATE_METRICS_ALLOW": "127.0.0.1, 10.0.0.0/8"}, func(c *Config) bool {
			return c.Metrics.Token == "0123456789abcdef0123" && len(c.Metrics.Allow) == 2
		}, ""},
		{"bad format", map[string]string{"PAYGATE_LOG_FORMAT": "xml"}, nil, "text or json"},
		{"bad level", map[string]string{"PAYGATE_LOG_LEVEL": "loud"}, nil, "debug, info, warn or error"},
		{"bad size", map[string]string{"PAYGATE_LOG_MAX_SIZE": "lots"}, nil, "log.max_size"},
		{"short metrics token", map[string]string{"PAYGATE_METRICS_TOKEN": "secret"}, nil, "at least 16 characters"},
		{"bad allow entry", map[string]string{"PAYGATE_METRICS_ALLOW": "my-laptop"}, nil, "metrics.allow"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadWith(t, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Fatalf("log %+v metrics %+v", cfg.Log, cfg.Metrics)
			}
		})
	}
}

// A config file beside the program (a double-clicked set-up) logs to a file.
func TestBesideProgram(t *testing.T) {
	clearEnv(t)
	exe, _ := os.Executable()
	dir := filepath.Dir(exe)
	if !sameDir(dir, executableDir()) || sameDir(t.TempDir(), dir) {
		t.Fatal("sameDir")
	}
	file := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(file, []byte("log:\n  level: warn\n"), 0o644)
	cfg, err := LoadOrCreate([]string{"--config", file}, nil)
	if err != nil || cfg.BesideProgram || cfg.LogFile(false) != "" {
		t.Fatalf("a config elsewhere: %v %+v", err, cfg)
	}
}
