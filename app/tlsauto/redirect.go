package tlsauto

import (
	"net"
	"net/http"
	"strings"
)

// plainHTTPPaths stay on plain HTTP: the phones' forwarder endpoints. The
// V免签 app can only speak HTTP, and a forwarder set up before HTTPS was
// turned on must not lose payments to a redirect it does not follow (POST
// redirects are refused by most HTTP clients). The console, the API and the
// payers' pages go to HTTPS.
var plainHTTPPaths = map[string]bool{"/webhook": true, "/appPush": true, "/appHeart": true, "/getState": true}

// Redirect sends plain-HTTP requests to HTTPS — 301 for GET and HEAD, 308
// (method and body kept) for the rest — on the request's host when it is
// one of domains, else on primary ("" keeps the request's host); httpsPort "443" or "" leaves the port
// out. The forwarder endpoints are served by app as they are.
func Redirect(primary, httpsPort string, domains map[string]bool, app http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if plainHTTPPaths[r.URL.Path] {
			app.ServeHTTP(w, r)
			return
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(host)
		if !domains[host] && primary != "" {
			host = primary
		}
		if httpsPort != "" && httpsPort != "443" {
			host = net.JoinHostPort(host, httpsPort)
		}
		code := http.StatusMovedPermanently
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			code = http.StatusPermanentRedirect
		}
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), code)
	})
}
