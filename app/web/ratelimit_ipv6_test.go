package web_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"paygate/app/web"
)

// A home or a phone is given a whole IPv6 /64: counted per address, one
// client could spread a flood over billions of addresses and never be
// limited. The limit counts a /64 as one client, as the payment-link caps do.
func TestRateLimitCountsAnIPv6Slash64AsOneClient(t *testing.T) {
	c := newConsole(t, web.Options{RateLimit: 5})
	status := func(remote string) int {
		req := httptest.NewRequest("GET", "/api/order-status?orderId=ORD1", nil)
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		c.e.ServeHTTP(rec, req)
		return rec.Code
	}
	limited := 0
	for i := 1; i <= 50; i++ {
		if status(fmt.Sprintf("[2001:db8:1:2::%x]:40000", i)) == 429 {
			limited++
		}
	}
	if limited < 35 {
		t.Fatalf("50 requests from 50 addresses of one /64 at 5/s: %d limited, want most", limited)
	}
	// Another /64, and an IPv4 client, are not held back by it.
	if got := status("[2001:db8:1:3::1]:40000"); got == 429 {
		t.Fatal("a client in another /64 was limited")
	}
	if got := status("198.51.100.7:40000"); got == 429 {
		t.Fatal("an IPv4 client was limited")
	}
}
