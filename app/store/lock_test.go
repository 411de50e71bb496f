package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"paygate/app"
)

func TestLock(t *testing.T) {
	tests := []struct {
		name    string
		leftPID string // what an earlier process left in paygate.pid; "-" for no file
	}{
		{"no file", "-"},
		{"empty file", ""},
		{"a dead process's number", "999999999"},
		{"a live unrelated process's number (after a reboot)", strconv.Itoa(os.Getppid())},
		{"this process's own number", strconv.Itoa(os.Getpid())},
		{"garbage", "not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, LockFile)
			if tc.leftPID != "-" {
				if err := os.WriteFile(path, []byte(tc.leftPID), 0o640); err != nil {
					t.Fatal(err)
				}
			}
			unlock, err := Lock(dir)
			if err != nil {
				t.Fatalf("a left-over lock file blocks: %v", err)
			}
			if raw, _ := os.ReadFile(path); string(raw) != strconv.Itoa(os.Getpid()) {
				t.Errorf("lock file holds %q, want this process's id", raw)
			}
			// A second claim (another open file: flock and LockFileEx refuse it
			// even within one process) names the holder in both languages.
			_, err = Lock(dir)
			if !errors.Is(err, ErrInUse) {
				t.Fatalf("second claim: %v, want ErrInUse", err)
			}
			pid := strconv.Itoa(os.Getpid())
			if zh, en := app.ErrorMessage(err, "zh"), app.ErrorMessage(err, "en"); !strings.Contains(en, "paygate (pid "+pid+") already uses this data directory") || !strings.Contains(zh, "进程 "+pid) {
				t.Errorf("second claim's message: %q / %q", zh, en)
			}
			unlock()
			unlock2, err := Lock(dir)
			if err != nil {
				t.Fatalf("claim after unlock: %v", err)
			}
			unlock2()
		})
	}
}

func TestOpenExplainsUnusableDatabases(t *testing.T) {
	ctx := context.Background()
	good := t.TempDir()
	db, err := Open(ctx, good, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	content, err := os.ReadFile(filepath.Join(good, "paygate.db"))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string)
		want    error
		says    []string
	}{
		{"garbage", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "paygate.db"), []byte(strings.Repeat("not sqlite ", 500)), 0o640)
		}, ErrCorrupt, []string{"已损坏", "damaged", "paygate restore"}},
		{"truncated", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "paygate.db"), content[:len(content)/2], 0o640)
		}, ErrCorrupt, []string{"已损坏", "damaged", "paygate restore"}},
		{"newer schema", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "paygate.db"), content, 0o640)
			raw, err := sql.Open("sqlite", filepath.Join(dir, "paygate.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (4242, '4242_future.sql', 0)`); err != nil {
				t.Fatal(err)
			}
		}, ErrNewerSchema, []string{"4242", "更新版本", "newer paygate"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			os.Mkdir(dir, 0o750)
			tc.prepare(t, dir)
			db, err := Open(ctx, dir, Options{})
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			zh, en := app.ErrorMessage(err, "zh"), app.ErrorMessage(err, "en")
			for _, s := range tc.says {
				if !strings.Contains(zh+en, s) {
					t.Errorf("message lacks %q: %s / %s", s, zh, en)
				}
			}
		})
	}
}
