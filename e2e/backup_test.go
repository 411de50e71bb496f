package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runCommand runs a paygate sub-command on dataDir and returns its output.
func runCommand(t *testing.T, dataDir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PAYGATE_DATA_DIR="+dataDir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestBackupWhileRunningAndRestore(t *testing.T) {
	dataDir := t.TempDir()
	pg := startPaygate(t, dataDir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	var ids []string
	for i := 0; i < 30; i++ {
		out := pg.createOrder(`{"productName":"备份","amount":12.34,"paymentMethod":"alipay"}`)
		ids = append(ids, out["orderId"].(string))
	}
	pg.webhook("你已成功收款12.34元")

	// An online backup while the server runs.
	out, err := runCommand(t, dataDir, "backup")
	if err != nil {
		t.Fatalf("paygate backup: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`backup written: (\S+) \((\d+) orders, (\d+) payments\)`).FindStringSubmatch(out)
	if m == nil || m[2] != "30" || m[3] != "1" {
		t.Fatalf("backup output: %s", out)
	}
	backupFile := m[1]
	if filepath.Dir(backupFile) != filepath.Join(dataDir, "backups") {
		t.Fatalf("backup not in data/backups: %s", backupFile)
	}

	// Restore refuses while a server runs on the directory.
	if out, err := runCommand(t, dataDir, "restore", backupFile); err == nil || !strings.Contains(out, "another paygate") {
		t.Fatalf("restore under a running server: %v %s", err, out)
	}
	pg.stop()

	// Into a fresh data directory: every order is there, with its state.
	fresh := t.TempDir()
	out, err = runCommand(t, fresh, "restore", backupFile)
	if err != nil || !strings.Contains(out, "30 orders") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	restored := startPaygate(t, fresh)
	paid := 0
	for _, id := range ids {
		status, st := restored.call("GET", "/api/order-status?orderId="+id, "", nil)
		if status != 200 {
			t.Fatalf("order %s lost in the restore: %d %v", id, status, st)
		}
		if st["status"] == "success" {
			paid++
		}
	}
	if paid != 1 {
		t.Fatalf("%d paid orders after restore, want 1", paid)
	}

	// Over an existing database: it is kept aside, not lost.
	restored.stop()
	out, err = runCommand(t, fresh, "restore", backupFile)
	if err != nil || !strings.Contains(out, "before-restore") {
		t.Fatalf("restore over a database: %v\n%s", err, out)
	}
	// A file that is not a paygate database is refused.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if out, err := runCommand(t, t.TempDir(), "restore", junk); err == nil || !strings.Contains(out, "not a paygate database") {
		t.Fatalf("restore of junk: %v %s", err, out)
	}
}
