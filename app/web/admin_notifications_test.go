package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/store"
	"paygate/app/web"
)

// consoleWithDB is newConsole that also hands back the store.
func consoleWithDB(t *testing.T) (*console, *store.DB) {
	t.Helper()
	return openConsole(t, web.Options{}, testKey, 0, nil)
}

// The console's notification log never shows a key or a sign a forwarder
// sent (query, form or JSON body), and a notification that could not be
// applied is shown on the devices page and the dashboard.
func TestConsoleHidesSecretsAndShowsFailedNotifications(t *testing.T) {
	c, db := consoleWithDB(t)
	c.setup(c.http)
	ctx := context.Background()
	const sign = "c2lnbmF0dXJlLW11c3Qtbm90LXNob3c%253D"
	for _, raw := range []app.RawRequest{
		{Endpoint: "/webhook", Method: "GET", Query: "key=" + testKey + "&from=a&timestamp=1&sign=" + sign},
		{Endpoint: "/webhook", Method: "POST", Header: map[string]string{"content-type": "application/x-www-form-urlencoded"},
			Body: []byte("from=a&timestamp=1&sign=" + sign)},
		{Endpoint: "/webhook", Method: "POST", Header: map[string]string{"content-type": "application/json"},
			Body: []byte(`{"timestamp":"1","sign":"` + sign + `"}`)},
	} {
		raw.ReceivedAt = time.Now()
		c.gw.Ingest(ctx, raw) // refused or unreadable: kept raw
	}
	failed, err := db.SaveRawNotification(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", Body: []byte(`{"message":"收到转账1元"}`), ReceivedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := db.NoteApplyFailure(ctx, failed, "disk I/O error", 5); err != nil {
			t.Fatal(err)
		}
	}

	_, page := c.do(c.http, "GET", "/admin/devices", nil, nil)
	for _, secret := range []string{sign, testKey} {
		if strings.Contains(page, secret) {
			t.Fatalf("the devices page shows a secret %q:\n%s", secret, page)
		}
	}
	resp, page := c.do(c.http, "GET", "/admin/devices?outcome=error", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "disk I/O error") || !strings.Contains(page, "处理失败") {
		t.Fatalf("failed notifications on the devices page: %d\n%s", resp.StatusCode, page)
	}
	_, dash := c.do(c.http, "GET", "/admin/", nil, nil)
	if !strings.Contains(dash, "/admin/devices?outcome=error") {
		t.Fatalf("the dashboard does not point at the failed notification:\n%s", dash)
	}
}
