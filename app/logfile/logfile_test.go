package logfile

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitFor polls until ok or five seconds pass: rotated files are compressed
// and old ones deleted in the background.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("waited 5 s for %s", what)
}

func TestRotatesBySizeAndCompresses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "logs", "paygate.log")
	l, err := Open(Options{File: path, MaxSize: 1, MaxAge: 30 * 24 * time.Hour, Compress: true, Level: slog.LevelInfo})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pad := strings.Repeat("x", 1000)
	for i := range 1500 { // about 1.5 MB: one rotation at 1 MB
		l.Info("order paid", "i", i, "pad", pad)
	}
	var gz []string
	waitFor(t, "a compressed rotated file", func() bool {
		gz, _ = filepath.Glob(filepath.Join(dir, "logs", "paygate-*.log.gz"))
		return len(gz) == 1 && !strings.HasSuffix(gz[0], ".tmp")
	})
	waitFor(t, "the uncompressed rotated file to go", func() bool {
		plain, _ := filepath.Glob(filepath.Join(dir, "logs", "paygate-*.log"))
		return len(plain) == 0
	})
	cur, err := os.Stat(path)
	if err != nil || cur.Size() >= 1<<20 || cur.Size() == 0 {
		t.Fatalf("current file after rotation: %v %v", cur, err)
	}
	// The gzip is written beside and renamed when done, but give it a moment.
	var rotated []byte
	waitFor(t, "a complete gzip", func() bool {
		f, err := os.Open(gz[0])
		if err != nil {
			return false
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return false
		}
		rotated, err = io.ReadAll(zr)
		return err == nil
	})
	if !bytes.Contains(rotated, []byte("msg=\"order paid\" i=0 ")) || bytes.Contains(rotated, []byte(" i=1499 ")) {
		t.Fatalf("the rotated file does not hold the first lines only (%d bytes)", len(rotated))
	}
	now, _ := os.ReadFile(path)
	if !bytes.Contains(now, []byte(" i=1499 ")) {
		t.Fatal("the newest line is not in the current file")
	}
	t.Logf("rotated %s (%d bytes uncompressed), current %d bytes", filepath.Base(gz[0]), len(rotated), cur.Size())
}

func TestDeletesRotatedFilesPastMaxAge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "paygate.log")
	// A rotated file from 2020 (the rotation reads its age from the name) and a fresh one.
	old := filepath.Join(dir, "paygate-2020-01-01T00-00-00.000.log.gz")
	fresh := filepath.Join(dir, "paygate-"+time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15-04-05.000")+".log.gz")
	for _, f := range []string{old, fresh} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Open(Options{File: path, MaxSize: 1, MaxAge: 7 * 24 * time.Hour, Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Info("before")
	if err := l.Rotate(); err != nil {
		t.Fatal(err)
	}
	l.Info("after")
	waitFor(t, "the 2020 file to be deleted", func() bool { _, err := os.Stat(old); return os.IsNotExist(err) })
	if _, err := os.Stat(fresh); err != nil {
		t.Fatalf("a rotated file younger than max_age was deleted: %v", err)
	}
}

func TestFormatsAndLevel(t *testing.T) {
	for _, tt := range []struct {
		name    string
		json    bool
		level   slog.Level
		want    string
		notWant string
	}{
		{"text info", false, slog.LevelInfo, `level=INFO msg=shown`, "hidden"},
		{"json info", true, slog.LevelInfo, `"msg":"shown"`, "hidden"},
		{"text debug", false, slog.LevelDebug, `msg=hidden`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "paygate.log")
			var console bytes.Buffer
			l, err := Open(Options{File: path, Console: &console, JSON: tt.json, Level: tt.level, MaxSize: 1})
			if err != nil {
				t.Fatal(err)
			}
			l.Debug("hidden")
			l.Info("shown", "order", "ORD1")
			l.Close()
			file, _ := os.ReadFile(path)
			if !bytes.Equal(file, console.Bytes()) {
				t.Fatalf("file and console differ:\n%s\n%s", file, console.Bytes())
			}
			if !strings.Contains(string(file), tt.want) || (tt.notWant != "" && strings.Contains(string(file), tt.notWant)) {
				t.Fatalf("log:\n%s", file)
			}
			if tt.json {
				for _, line := range bytes.Split(bytes.TrimSpace(file), []byte("\n")) {
					if !json.Valid(line) {
						t.Fatalf("not a JSON line: %s", line)
					}
				}
			}
		})
	}
}

func TestUnwritableLogFileIsExplained(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Options{File: filepath.Join(blocker, "paygate.log"), MaxSize: 1})
	if err == nil || !strings.Contains(err.Error(), "无法写入日志文件") || !strings.Contains(err.Error(), "log.file") {
		t.Fatalf("err = %v", err)
	}
}
