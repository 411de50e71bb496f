package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCallbackAllowHosts(t *testing.T) {
	shipped, readErr := os.ReadFile(filepath.Join("..", "..", "config.yaml"))
	clearEnv(t)
	t.Chdir(t.TempDir())
	cfg, err := LoadOrCreate(nil, nil)
	if err != nil || len(cfg.Callback.AllowHosts) != 0 || cfg.Callback.PerHost != 2 || cfg.Callback.Workers != 32 {
		t.Fatalf("defaults: %+v %v", cfg.Callback, err)
	}

	t.Setenv("PAYGATE_CALLBACK_ALLOW_HOSTS", "127.0.0.1, shop.lan,192.168.1.0/24")
	cfg, err = LoadOrCreate(nil, nil)
	if err != nil || !slices.Equal(cfg.Callback.AllowHosts, []string{"127.0.0.1", "shop.lan", "192.168.1.0/24"}) {
		t.Fatalf("from the environment: %q %v", cfg.Callback.AllowHosts, err)
	}

	for _, bad := range []string{"http://shop.lan/", "10.0.0.0/40"} {
		t.Setenv("PAYGATE_CALLBACK_ALLOW_HOSTS", bad)
		if _, err := LoadOrCreate(nil, nil); err == nil || !strings.Contains(err.Error(), "callback.allow_hosts") {
			t.Errorf("%q: err = %v, want one naming callback.allow_hosts", bad, err)
		}
	}
	t.Setenv("PAYGATE_CALLBACK_ALLOW_HOSTS", "")
	t.Setenv("PAYGATE_CALLBACK_PER_HOST", "0")
	if _, err := LoadOrCreate(nil, nil); err == nil || !strings.Contains(err.Error(), "callback.per_host") {
		t.Errorf("per_host 0: err = %v", err)
	}

	// The shipped config.yaml reads as the defaults.
	clearEnv(t)
	if readErr != nil {
		t.Fatal(readErr)
	}
	p := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(p, shipped, 0o644)
	if cfg, err = LoadOrCreate([]string{"--config", p}, nil); err != nil || cfg.Callback.PerHost != 2 || len(cfg.Callback.AllowHosts) != 0 {
		t.Errorf("config.yaml: %+v %v", cfg.Callback, err)
	}
}
