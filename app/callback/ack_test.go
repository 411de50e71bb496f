package callback

import "testing"

func TestAcknowledgements(t *testing.T) {
	for _, c := range []struct {
		epay   bool
		status int
		body   string
		want   bool
	}{
		{false, 200, `{"success":true}`, true},
		{false, 200, "success", true},
		{false, 200, `{"success":false}`, false},
		{false, 200, "ok success", false},
		{false, 500, `{"success":true}`, false},
		// 易支付: a 2xx body containing success, in any case, as 彩虹易支付's do_notify.
		{true, 200, "success", true},
		{true, 200, "SUCCESS", true},
		{true, 200, "<html><body>Success</body></html>", true},
		{true, 204, "success", true},
		{true, 200, "fail", false},
		{true, 200, "", false},
		{true, 500, "success", false},
		{true, 302, "success", false},
	} {
		ack := acknowledged
		if c.epay {
			ack = acknowledgedEpay
		}
		got, why := ack(c.status, []byte(c.body))
		if got != c.want || (got && why != "") || (!got && why == "") {
			t.Errorf("epay=%v %d %q: %v %q, want %v", c.epay, c.status, c.body, got, why, c.want)
		}
	}
}
