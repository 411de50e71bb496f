package e2e

// A merchant whose server runs on UTC, with the merchant guide's Python
// receiver: it refuses every callback as 回调已过期 (the guide reads the
// Shanghai timestamp in the server's own zone), the order is paid and the
// shop never hears of it. The console must say why, next to the attempt,
// with the fix; the same receiver on Shanghai time accepts the callback.

import (
	"bufio"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startGuideReceiver runs testdata/guide_receiver.py (the guide's Python
// checks) with the zone tz and returns its callback URL.
func startGuideReceiver(t *testing.T, tz string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		skipOrFailOnCI(t, "python3 is not installed (.ci/run installs it)")
	}
	cmd := exec.Command(py, "testdata/guide_receiver.py", testAPIKey)
	cmd.Env = append(os.Environ(), "TZ="+tz)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	port, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the receiver did not start: %v", err)
	}
	return "http://127.0.0.1:" + strings.TrimSpace(port) + "/payment-callback"
}

// firstAttempt waits for the first logged callback attempt of a payment.
func firstAttempt(t *testing.T, pg *instance, paymentID string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		_, detail := pg.call("GET", "/api/payments/"+paymentID, "", bearer)
		if attempts, _ := detail["callbackAttempts"].([]any); len(attempts) > 0 {
			return attempts[0].(map[string]any)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no callback attempt for %s", paymentID)
	return nil
}

const utcHintZh = "商城的服务器可能把时间按 UTC 读了"

func TestUTCMerchantGetsTheHintInTheConsole(t *testing.T) {
	utc := startGuideReceiver(t, "UTC")
	shanghai := startGuideReceiver(t, "Asia/Shanghai")
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_MERCHANT_CALLBACK_URL="+utc,
		"PAYGATE_CALLBACK_RETRY_SCHEDULE=0s 1h")
	o := newOwner(t, pg)

	// The UTC server refuses the genuine callback as expired.
	order := pg.createOrder(`{"productName":"UTC","amount":0.01,"paymentMethod":"alipay"}`)
	paid := pg.webhook("收到转账0.01元(支付宝)")
	if paid["orderId"] != order["orderId"] {
		t.Fatalf("webhook: %v", paid)
	}
	a := firstAttempt(t, pg, paid["paymentId"].(string))
	if a["httpStatus"] != 401.0 || a["acknowledged"] != false || !strings.Contains(a["bodyExcerpt"].(string), `\u8fc7\u671f`) {
		t.Fatalf("the guide's receiver on UTC: %v", a)
	}

	// The console says why and how to fix it, where the attempt is shown.
	for _, page := range []string{"/admin/orders/" + order["orderId"].(string), "/admin/payments/" + paid["paymentId"].(string)} {
		_, html := consoleCall(o, "GET", page, nil)
		for _, want := range []string{utcHintZh, "Asia/Shanghai", "timezone(timedelta(hours=8))", "+08:00", "DateTimeZone", "time.FixedZone"} {
			if !strings.Contains(html, want) {
				t.Fatalf("%s does not show %q:\n%.3000s", page, want, html)
			}
		}
	}
	_, html := consoleCall(o, "GET", "/admin/orders/"+order["orderId"].(string)+"?lang=en", nil)
	if !strings.Contains(html, "may read the time as UTC") {
		t.Fatalf("no English hint:\n%.3000s", html)
	}
	// The settings page's test callback to the same server shows it too.
	if _, html := consoleCall(o, "POST", "/admin/settings/callback/test", url.Values{"callbackUrl": {utc}}); !strings.Contains(html, utcHintZh) {
		t.Fatalf("the test callback's result does not show the hint:\n%.3000s", html)
	}

	// The same receiver on Shanghai time accepts the callback: no hint.
	order2 := pg.createOrder(`{"productName":"上海","amount":0.02,"paymentMethod":"alipay","notifyUrl":"` + shanghai + `"}`)
	paid2 := pg.webhook("收到转账0.02元(支付宝)")
	if paid2["orderId"] != order2["orderId"] {
		t.Fatalf("webhook: %v", paid2)
	}
	if a := firstAttempt(t, pg, paid2["paymentId"].(string)); a["acknowledged"] != true {
		raw, _ := json.Marshal(a)
		t.Fatalf("the guide's receiver on Shanghai time: %s", raw)
	}
	if _, html := consoleCall(o, "GET", "/admin/orders/"+order2["orderId"].(string), nil); strings.Contains(html, utcHintZh) {
		t.Fatal("the hint is shown for an acknowledged callback")
	}
}
