package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paygate/app"
)

func TestReplicaConfig(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		env     map[string]string
		wantErr string // "" = loads
		check   func(t *testing.T, cfg *Config)
	}{
		{name: "off by default", check: func(t *testing.T, cfg *Config) {
			if cfg.Replica.Settings.On() || cfg.Replica.SyncInterval != time.Second || cfg.Replica.Retention != 7*24*time.Hour || cfg.Replica.AlertAfter != time.Minute {
				t.Fatalf("defaults: %+v", cfg.Replica)
			}
		}},
		{name: "from the environment, pinned", env: map[string]string{
			"PAYGATE_REPLICA_URL": "s3://b/p", "PAYGATE_REPLICA_ENDPOINT": "https://oss-cn-hangzhou.aliyuncs.com",
			"PAYGATE_REPLICA_ACCESS_KEY_ID": "id", "PAYGATE_REPLICA_SECRET_ACCESS_KEY": "secret", "PAYGATE_REPLICA_SYNC_INTERVAL": "500ms",
		}, check: func(t *testing.T, cfg *Config) {
			s := cfg.Replica.Settings
			if s.URL != "s3://b/p" || s.SecretAccessKey != "secret" || cfg.Replica.SyncInterval != 500*time.Millisecond {
				t.Fatalf("settings: %+v", cfg.Replica)
			}
			if src := cfg.Pinned["replica.url"]; src.Kind != app.SourceEnv || src.Name != "PAYGATE_REPLICA_URL" {
				t.Fatalf("replica.url pinned by %+v", src)
			}
			if cfg.Pinned["replica.region"].Pinned() {
				t.Fatal("an unset key is pinned")
			}
		}},
		{name: "in config.yaml", yaml: "replica:\n  url: file:///mnt/backup/paygate\n  retention: 30d\n", check: func(t *testing.T, cfg *Config) {
			if cfg.Replica.Settings.URL != "file:///mnt/backup/paygate" || cfg.Replica.Retention != 30*24*time.Hour || cfg.Pinned["replica.url"].Kind != app.SourceFile {
				t.Fatalf("replica: %+v pinned %+v", cfg.Replica, cfg.Pinned)
			}
		}},
		{name: "a bad url is a config error", env: map[string]string{"PAYGATE_REPLICA_URL": "ftp://host/p"}, wantErr: "replica.url"},
		{name: "sftp without a host key", env: map[string]string{"PAYGATE_REPLICA_URL": "sftp://u@h/p", "PAYGATE_REPLICA_KEY_FILE": "/k", "PAYGATE_REPLICA_HOST_KEY": "nope"}, wantErr: "replica.host_key"},
		{name: "retention under 7 days", env: map[string]string{"PAYGATE_REPLICA_RETENTION": "3d"}, wantErr: "replica.retention"},
		{name: "sync interval too short", env: map[string]string{"PAYGATE_REPLICA_SYNC_INTERVAL": "10ms"}, wantErr: "replica.sync_interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Chdir(t.TempDir())
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var args []string
			if tt.yaml != "" {
				p := filepath.Join(t.TempDir(), "config.yaml")
				os.WriteFile(p, []byte(tt.yaml), 0o644)
				args = []string{"--config", p}
			}
			cfg, err := LoadOrCreate(args, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, cfg)
		})
	}
}
