package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The settings page's replica section in a real browser: replicating, then
// behind with the bucket's error while the bucket is down (the status
// refreshes itself), then level again. With PAYGATE_SCREENS=dir the section
// is saved as replica-ok.png and replica-behind.png there.
func TestBrowserReplicaStatus(t *testing.T) {
	tg := s3Target(t)
	pg := startPaygate(t, t.TempDir(), append([]string{"PAYGATE_MERCHANT_API_KEY=" + testAPIKey, "PAYGATE_REPLICA_ALERT_AFTER=10s"}, tg.env...)...)
	waitReplicating(t, pg)
	ctx, cancel := newConsoleBrowser(t)
	defer cancel()
	c := signInConsole(t, ctx, pg)
	pg.createOrder(`{"productName":"副本状态","amount":1.23,"paymentMethod":"alipay"}`)
	time.Sleep(2 * replicaSyncInterval)

	section := func(sel, shot string) string {
		t.Helper()
		c.open("/admin/settings", "#replica")
		c.run("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel), chromedp.RetryInterval(500*time.Millisecond)))
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#replica-status")))
		if err != nil {
			t.Fatal(err)
		}
		if dir := os.Getenv("PAYGATE_SCREENS"); dir != "" {
			png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#replica")))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, shot), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return text
	}
	text := section("#replica-status .notice.ok", "replica-ok.png")
	for _, want := range []string{"正在复制", tg.url, "上次同步", "落后", "无", "同步间隔", "1s", "7 天"} {
		if !strings.Contains(text, want) {
			t.Fatalf("replicating: status lacks %q:\n%s", want, text)
		}
	}

	tg.s3.down.Store(true)
	for i := 0; i < 3; i++ {
		pg.createOrder(`{"productName":"存储桶不通","amount":2.34,"paymentMethod":"alipay"}`)
	}
	time.Sleep(11 * time.Second) // past replica.alert_after
	text = section("#replica-status .notice.err", "replica-behind.png")
	for _, want := range []string{"副本落后", "最近的错误", "ServiceUnavailable", "上次同步"} {
		if !strings.Contains(text, want) {
			t.Fatalf("behind: status lacks %q:\n%s", want, text)
		}
	}

	// The bucket back: the status refreshes itself to level again.
	tg.s3.down.Store(false)
	c.run("caught up", chromedp.WaitVisible(chromedp.CSS("#replica-status .notice.ok"), chromedp.RetryInterval(500*time.Millisecond)))
}
