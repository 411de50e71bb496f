package tlsauto

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRedirect(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	ours := map[string]bool{"pay.example.com": true, "shop.example.com": true}
	for _, tt := range []struct {
		name              string
		primary, port     string
		domains           map[string]bool
		method, host, uri string
		code              int
		location          string
	}{
		{"page to HTTPS", "pay.example.com", "443", ours, "GET", "shop.example.com", "/pay/ORD1?x=1", 301, "https://shop.example.com/pay/ORD1?x=1"},
		{"HEAD too", "pay.example.com", "", ours, "HEAD", "pay.example.com:80", "/", 301, "https://pay.example.com/"},
		{"POST keeps its method", "pay.example.com", "443", ours, "POST", "pay.example.com", "/api/orders", 308, "https://pay.example.com/api/orders"},
		{"another port", "pay.example.com", "8443", ours, "GET", "pay.example.com", "/admin/", 301, "https://pay.example.com:8443/admin/"},
		{"a stranger's host goes to the domain", "pay.example.com", "443", ours, "GET", "203.0.113.7", "/admin/", 301, "https://pay.example.com/admin/"},
		{"certificate files: the request's host", "", "443", nil, "GET", "pay.example.com:80", "/admin/", 301, "https://pay.example.com/admin/"},
		{"the phone's webhook stays", "pay.example.com", "443", ours, "POST", "pay.example.com", "/webhook", 418, ""},
		{"V免签 stays", "pay.example.com", "443", ours, "GET", "pay.example.com", "/appPush?t=1&type=1&price=1&sign=x", 418, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "http://"+tt.host+tt.uri, strings.NewReader(""))
			rec := httptest.NewRecorder()
			Redirect(tt.primary, tt.port, tt.domains, app).ServeHTTP(rec, req)
			if rec.Code != tt.code || rec.Header().Get("Location") != tt.location {
				t.Fatalf("%d %q, want %d %q", rec.Code, rec.Header().Get("Location"), tt.code, tt.location)
			}
		})
	}
}
