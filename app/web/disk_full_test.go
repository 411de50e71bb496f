package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/web"
)

// A full disk (the store's disk_full error) is a 503 with its message and a
// Retry-After wherever it happens: API, forwarder, console and payer pages.
// A forwarder such as SmsForwarder retries a 503.
func TestDiskFullIsA503SayingSo(t *testing.T) {
	c := newConsole(t, web.Options{})
	full := &app.Error{Code: app.EDISKFULL, Zh: "服务器磁盘已满：请腾出磁盘空间。", En: "The server's disk is full: free some disk space.", RetryAfter: 30 * time.Second}
	fail := func(echo.Context) error { return full }
	for _, path := range []string{"/api/disk-full", "/admin/disk-full", "/pay/disk-full"} {
		c.e.GET(path, fail)
	}
	tests := []struct {
		path, lang string
		want       []string
	}{
		{"/api/disk-full", "zh", []string{`"code":"disk_full"`, "服务器磁盘已满"}},
		{"/api/disk-full?lang=en", "en", []string{"The server's disk is full"}},
		{"/admin/disk-full", "zh", []string{"服务器磁盘已满"}},
		{"/pay/disk-full", "zh", []string{"服务器磁盘已满"}},
	}
	for _, tt := range tests {
		resp, body := c.do(c.http, "GET", tt.path, nil, nil)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503", tt.path, resp.StatusCode)
		}
		if resp.Header.Get("Retry-After") != "30" {
			t.Errorf("%s: Retry-After %q, want 30", tt.path, resp.Header.Get("Retry-After"))
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the answer lacks %q:\n%.300s", tt.path, w, body)
			}
		}
	}
}
