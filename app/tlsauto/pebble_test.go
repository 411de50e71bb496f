package tlsauto

// These tests run Pebble, Let's Encrypt's ACME test server, inside the test
// process (its CA, validation authority and web front end, with a small DNS
// server for the test domain): no network, no docker. Pebble validates the
// challenges for real, against the listeners paygate serves.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

const testDomain = "paygate.test"

// fakeDNS answers A queries from names (name → IPv4) over TCP, which both
// Pebble's validation authority and the resolver below use; other names are
// NXDOMAIN.
type fakeDNS struct {
	Addr string
	mu   sync.Mutex
	ips  map[string]net.IP
}

func startDNS(t *testing.T, names map[string]net.IP) *fakeDNS {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeDNS{Addr: ln.Addr().String(), ips: names}
	srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, q := range r.Question {
			ip, ok := f.ips[strings.TrimSuffix(strings.ToLower(q.Name), ".")]
			if !ok {
				m.Rcode = dns.RcodeNameError
				continue
			}
			if q.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: ip})
			}
		}
		_ = w.WriteMsg(m)
	})}
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return f
}

// Resolver asks the fake DNS (over TCP: Go frames a stream connection so).
func (f *fakeDNS) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", f.Addr)
	}}
}

type pebble struct {
	DirURL string
	Client *http.Client   // trusts the ACME API's own certificate
	Issuer *x509.CertPool // trusts the certificates Pebble issues
	orders atomic.Int64   // orders placed
}

// startPebble runs Pebble; its validation authority dials the challenged
// name at httpPort (http-01) and tlsPort (tls-alpn-01), as a CA dials 80 and 443.
func startPebble(t *testing.T, dnsAddr string, httpPort, tlsPort int) *pebble {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")      // no random sleeps before validating
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0") // Pebble rejects 5 % of nonces by default
	logger := log.New(io.Discard, "pebble ", 0)
	if testing.Verbose() {
		logger.SetOutput(testLog{t})
	}
	store := db.NewMemoryStore()
	caImpl := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	vaImpl := va.New(logger, httpPort, tlsPort, false, dnsAddr, store)
	w := wfe.New(logger, store, vaImpl, caImpl, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	p := &pebble{}
	h := w.Handler()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/order-plz" { // Pebble's new-order
			p.orders.Add(1)
		}
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	issuer := x509.NewCertPool()
	issuer.AddCert(caImpl.GetRootCert(0).Cert)
	p.DirURL, p.Client, p.Issuer = srv.URL+wfe.DirectoryPath, srv.Client(), issuer
	return p
}

type testLog struct{ t *testing.T }

// testLogger shows paygate's log lines with -v only.
func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(testLog{t}, nil))
	}
	return slog.New(slog.DiscardHandler)
}

func (w testLog) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

func listen(t *testing.T, ip string) (net.Listener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().(*net.TCPAddr).Port
}

// closedPort is a port nothing listens on.
func closedPort(t *testing.T) int {
	ln, port := listen(t, "127.0.0.1")
	ln.Close()
	return port
}

// site serves a paygate stand-in on both sides, as serve.go wires it.
type site struct {
	m                   *Manager
	httpPort, httpsPort int
}

func startSite(t *testing.T, p *pebble, f *fakeDNS, cacheDir string, httpLn, httpsLn net.Listener) *site {
	t.Helper()
	httpsPort := httpsLn.Addr().(*net.TCPAddr).Port
	m, err := New(Options{Domains: []string{testDomain}, Directory: p.DirURL, Email: "ops@paygate.test", CacheDir: cacheDir,
		HTTPSPort: strconv.Itoa(httpsPort), ACMEClient: p.Client, Resolver: f.Resolver(),
		RetryAfter: []time.Duration{50 * time.Millisecond}, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "paygate "+r.URL.Path) })
	plain := &http.Server{Handler: m.HTTPHandler(app), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = plain.Serve(httpLn) }()
	secure := &http.Server{Handler: app, TLSConfig: m.TLSConfig(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = secure.ServeTLS(httpsLn, "", "") }()
	t.Cleanup(func() { plain.Close(); secure.Close() })
	return &site{m: m, httpPort: httpLn.Addr().(*net.TCPAddr).Port, httpsPort: httpsPort}
}

// served is the certificate the HTTPS side shows for the test domain.
func (s *site) served(t *testing.T, roots *x509.CertPool) (*x509.Certificate, error) {
	t.Helper()
	conf := &tls.Config{ServerName: testDomain, RootCAs: roots}
	if roots == nil {
		conf.InsecureSkipVerify = true
	}
	conn, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.httpsPort), conf)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0], nil
}

func TestCertificateObtainedServedAndRedirected(t *testing.T) {
	f := startDNS(t, map[string]net.IP{testDomain: net.IPv4(127, 0, 0, 1)})
	httpLn, httpPort := listen(t, "127.0.0.1")
	httpsLn, httpsPort := listen(t, "127.0.0.1")
	p := startPebble(t, f.Addr, httpPort, httpsPort)
	cacheDir := filepath.Join(t.TempDir(), "acme")
	s := startSite(t, p, f, cacheDir, httpLn, httpsLn)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s.m.Obtain(ctx, s.httpPort)

	states := s.m.States()
	if len(states) != 1 || states[0].Error != nil || time.Until(states[0].NotAfter) < 24*time.Hour {
		t.Fatalf("state after obtaining: %+v", states)
	}
	leaf, err := s.served(t, p.Issuer)
	if err != nil {
		t.Fatalf("HTTPS does not serve a certificate Pebble issued: %v", err)
	}
	if leaf.DNSNames[0] != testDomain || !leaf.NotAfter.Equal(states[0].NotAfter) {
		t.Fatalf("served %v until %s; state says %s", leaf.DNSNames, leaf.NotAfter, states[0].NotAfter)
	}
	if _, err := os.Stat(filepath.Join(cacheDir, testDomain)); err != nil {
		t.Fatalf("the certificate is not kept in the data directory: %v", err)
	}
	t.Logf("issued by %q for %v, valid until %s", leaf.Issuer.CommonName, leaf.DNSNames, leaf.NotAfter)

	// A browser on HTTPS reaches the site.
	browser := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: p.Issuer},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+strconv.Itoa(httpsPort))
		}}}
	resp, err := browser.Get("https://" + testDomain + "/admin/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "paygate /admin/" {
		t.Fatalf("https answer: %q", body)
	}

	// Plain HTTP: pages go to HTTPS (POST keeps its method); the phones' forwarder endpoints stay.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range []struct {
		method, path string
		code         int
		location     string
	}{
		{"GET", "/pay/ORD1?x=1", 301, "https://" + testDomain + ":" + strconv.Itoa(httpsPort) + "/pay/ORD1?x=1"},
		{"POST", "/api/orders", 308, "https://" + testDomain + ":" + strconv.Itoa(httpsPort) + "/api/orders"},
		{"POST", "/webhook", 200, ""},
		{"GET", "/appHeart?t=1&sign=x", 200, ""},
	} {
		req, _ := http.NewRequest(tt.method, "http://127.0.0.1:"+strconv.Itoa(s.httpPort)+tt.path, strings.NewReader("{}"))
		req.Host = testDomain
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.code || resp.Header.Get("Location") != tt.location {
			t.Errorf("%s http://%s%s: %d %q, want %d %q", tt.method, testDomain, tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.code, tt.location)
		}
	}
}

// A certificate close to its end is replaced before it expires, with no
// handshake failing on the way.
func TestCertificateRenewedBeforeExpiry(t *testing.T) {
	f := startDNS(t, map[string]net.IP{testDomain: net.IPv4(127, 0, 0, 1)})
	httpLn, httpPort := listen(t, "127.0.0.1")
	httpsLn, httpsPort := listen(t, "127.0.0.1")
	p := startPebble(t, f.Addr, httpPort, httpsPort)
	cacheDir := filepath.Join(t.TempDir(), "acme")
	// Last issued ten hours ago, it expires in one: well inside the
	// renewal window (the last third of its life).
	oldNotAfter := seedCertificate(t, cacheDir, testDomain, time.Now().Add(-10*time.Hour), time.Now().Add(time.Hour))
	s := startSite(t, p, f, cacheDir, httpLn, httpsLn)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s.m.Obtain(ctx, s.httpPort) // finds the old certificate and starts renewing it

	var renewed *x509.Certificate
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		leaf, err := s.served(t, nil)
		if err != nil {
			t.Fatalf("a handshake failed while renewing: %v", err)
		}
		if leaf.NotAfter.After(oldNotAfter.Add(24 * time.Hour)) {
			renewed = leaf
			break
		}
	}
	if renewed == nil {
		t.Fatal("the certificate expiring in an hour was not renewed")
	}
	if _, err := s.served(t, p.Issuer); err != nil {
		t.Fatalf("the renewed certificate is not Pebble's: %v", err)
	}
	waitState(t, s.m, func(st []StateView) bool { return st[0].NotAfter.Equal(renewed.NotAfter) })
	t.Logf("renewed: %s → %s (issuer %q)", oldNotAfter.Format(time.RFC3339), renewed.NotAfter.Format(time.RFC3339), renewed.Issuer.CommonName)
}

// StateView is app.CertificateState, named for the test's polling helper.
type StateView = struct {
	Domain   string
	NotAfter time.Time
	Failed   bool
}

func waitState(t *testing.T, m *Manager, ok func([]StateView) bool) {
	t.Helper()
	var views []StateView
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		views = views[:0]
		for _, s := range m.States() {
			views = append(views, StateView{s.Domain, s.NotAfter, s.Error != nil})
		}
		if ok(views) {
			return
		}
	}
	t.Fatalf("certificate state: %+v", views)
}

// seedCertificate writes a self-made certificate for domain into the
// certificate cache, as if obtained earlier, and returns its expiry.
func seedCertificate(t *testing.T, cacheDir, domain string, notBefore, notAfter time.Time) time.Time {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: domain}, DNSNames: []string{domain},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	data := append(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cacheDir, domain), data, 0o600); err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return leaf.NotAfter
}

// The domain points at another server: said at once, and the CA is not
// asked (a failed validation counts against its limits).
func TestDomainPointingElsewhereIsExplained(t *testing.T) {
	httpLn, httpPort := listen(t, "127.0.0.1")
	httpsLn, httpsPort := listen(t, "127.0.0.1")
	// Another web server at the address the domain resolves to, same port.
	other, err := net.Listen("tcp", "127.0.0.2:"+strconv.Itoa(httpPort))
	if err != nil {
		t.Skipf("127.0.0.2 is not usable here: %v", err)
	}
	otherSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "Welcome to nginx!")
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = otherSrv.Serve(other) }()
	t.Cleanup(func() { otherSrv.Close() })
	f := startDNS(t, map[string]net.IP{testDomain: net.IPv4(127, 0, 0, 2)})
	p := startPebble(t, f.Addr, httpPort, httpsPort)
	s := startSite(t, p, f, t.TempDir(), httpLn, httpsLn)

	if s.m.obtain(context.Background(), testDomain, s.httpPort) {
		t.Fatal("obtained a certificate for a domain that points elsewhere")
	}
	e := s.m.States()[0].Error
	if e == nil || !strings.Contains(e.Zh, "回答的不是这个 paygate") || !strings.Contains(e.Zh, "127.0.0.2") ||
		!strings.Contains(e.En, "is not this paygate") || !strings.Contains(e.En, "A/AAAA record") {
		t.Fatalf("explanation: %+v", e)
	}
	if n := p.orders.Load(); n != 0 {
		t.Fatalf("the CA was asked %d times for a domain that points elsewhere", n)
	}
	t.Logf("zh: %s\nen: %s", e.Zh, e.En)
}

// Ports 80 and 443 closed to the outside: the CA cannot validate, and the
// owner is told to open them.
func TestClosedPortsAreExplained(t *testing.T) {
	httpLn, _ := listen(t, "127.0.0.1")
	httpsLn, _ := listen(t, "127.0.0.1")
	f := startDNS(t, map[string]net.IP{testDomain: net.IPv4(127, 0, 0, 1)})
	// The CA (and the check) find nothing on the ports: a firewall drops them.
	closed80, closed443 := closedPort(t), closedPort(t)
	p := startPebble(t, f.Addr, closed80, closed443)
	s := startSite(t, p, f, t.TempDir(), httpLn, httpsLn)

	if s.m.obtain(context.Background(), testDomain, closed80) {
		t.Fatal("obtained a certificate through closed ports")
	}
	st := s.m.States()[0]
	if st.Error == nil || !st.NotAfter.IsZero() {
		t.Fatalf("state: %+v", st)
	}
	e := st.Error
	for _, want := range []string{"验证不了域名 " + testDomain, "安全组", "80 和 443"} {
		if !strings.Contains(e.Zh, want) {
			t.Errorf("Chinese explanation lacks %q: %s", want, e.Zh)
		}
	}
	for _, want := range []string{"could not verify " + testDomain, "security group", "ports 80 and 443"} {
		if !strings.Contains(e.En, want) {
			t.Errorf("English explanation lacks %q: %s", want, e.En)
		}
	}
	if p.orders.Load() == 0 {
		t.Error("the CA was not asked: a check from inside is not proof that the ports are closed")
	}
	t.Logf("zh: %s\nen: %s", e.Zh, e.En)
}

func TestDomainWithoutAddressIsExplained(t *testing.T) {
	httpLn, httpPort := listen(t, "127.0.0.1")
	httpsLn, httpsPort := listen(t, "127.0.0.1")
	f := startDNS(t, map[string]net.IP{}) // NXDOMAIN for everything
	p := startPebble(t, f.Addr, httpPort, httpsPort)
	s := startSite(t, p, f, t.TempDir(), httpLn, httpsLn)
	if s.m.obtain(context.Background(), testDomain, httpPort) {
		t.Fatal("obtained a certificate for a name without an address")
	}
	e := s.m.States()[0].Error
	if e == nil || !strings.Contains(e.Zh, "查不到解析记录") || !strings.Contains(e.En, "add an A record") || p.orders.Load() != 0 {
		t.Fatalf("explanation %+v, CA asked %d times", e, p.orders.Load())
	}
}

// With 443 unreachable for the CA (tls-alpn-01 fails), the certificate comes
// through the http-01 challenge the plain-HTTP side answers.
func TestHTTP01ChallengeOnThePlainHTTPSide(t *testing.T) {
	f := startDNS(t, map[string]net.IP{testDomain: net.IPv4(127, 0, 0, 1)})
	httpLn, httpPort := listen(t, "127.0.0.1")
	httpsLn, _ := listen(t, "127.0.0.1")
	p := startPebble(t, f.Addr, httpPort, closedPort(t))
	s := startSite(t, p, f, t.TempDir(), httpLn, httpsLn)
	if !s.m.obtain(context.Background(), testDomain, s.httpPort) {
		t.Fatalf("no certificate through http-01: %+v", s.m.States()[0].Error)
	}
	if _, err := s.served(t, p.Issuer); err != nil {
		t.Fatal(err)
	}
}
