// Package tlsauto is paygate's automatic HTTPS: certificates for the
// configured domains obtained and renewed over ACME (Let's Encrypt unless
// another directory is configured, e.g. ZeroSSL), kept in the data
// directory, served on :443; and the plain-HTTP side on :80 that answers the
// CA's challenges and sends browsers to HTTPS. It replaces nginx + certbot
// (and its cron job) of the merchant guide's 生产部署.
//
// Certificates are obtained at start, not on a visitor's first handshake, so
// a domain that does not point here or a closed port is reported at once,
// in Chinese and English, saying what to check.
package tlsauto

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"paygate/app"
)

// Options configure automatic HTTPS.
type Options struct {
	Domains   []string
	Directory string // ACME directory URL
	Email     string // the CA writes here about expiring certificates and policy changes
	// EABKeyID and EABHMAC bind the ACME account to one at the CA (ZeroSSL
	// and others ask for it); both or neither. EABHMAC is base64url.
	EABKeyID string
	EABHMAC  string
	CacheDir string // certificates and the account key: data/acme
	// HTTPSPort is the port browsers are sent to: "443" (or "") leaves it out of the address.
	HTTPSPort string
	Logger    *slog.Logger

	// ACMEClient reaches the directory; nil: a client trusting the system's
	// roots, or CARoots when set (a private CA's directory).
	ACMEClient *http.Client
	CARoots    *x509.CertPool
	// Resolver finds the domains' addresses for the check before asking the
	// CA; nil: the system's.
	Resolver *net.Resolver
	// RetryAfter are the waits between failed tries to obtain a
	// certificate, the last one repeating; nil: 2m, 10m, 30m, 1h.
	RetryAfter []time.Duration
}

// Manager obtains, renews and serves the certificates.
type Manager struct {
	opts    Options
	acme    *autocert.Manager
	domains map[string]bool
	log     *slog.Logger
	probe   string // the token the reachability check asks this paygate for

	mu     sync.Mutex
	states map[string]*app.Problem // domain → why the last try failed; nil: it worked
}

// New prepares the manager; Obtain gets the certificates.
func New(o Options) (*Manager, error) {
	if len(o.Domains) == 0 {
		return nil, errors.New("tlsauto: no domain")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if len(o.RetryAfter) == 0 {
		o.RetryAfter = []time.Duration{2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}
	}
	client := o.ACMEClient
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, TLSClientConfig: &tls.Config{RootCAs: o.CARoots}}}
	}
	m := &Manager{opts: o, domains: map[string]bool{}, log: o.Logger, states: map[string]*app.Problem{}, probe: randomToken()}
	for _, d := range o.Domains {
		m.domains[strings.ToLower(d)] = true
	}
	m.acme = &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(o.CacheDir),
		HostPolicy: m.hostPolicy,
		Email:      o.Email,
		Client:     &acme.Client{DirectoryURL: o.Directory, HTTPClient: client, UserAgent: "paygate"},
	}
	if o.EABKeyID != "" {
		key, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(o.EABHMAC, "="))
		if err != nil {
			return nil, fmt.Errorf("server.acme_eab_hmac_key: %w", err)
		}
		m.acme.ExternalAccountBinding = &acme.ExternalAccountBinding{KID: o.EABKeyID, Key: key}
	}
	return m, nil
}

// hostPolicy allows the configured domains only. A Host header may carry a
// port (a challenge to a port other than 80); the name decides.
func (m *Manager) hostPolicy(_ context.Context, host string) error {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if m.domains[strings.ToLower(strings.TrimSuffix(host, "."))] {
		return nil
	}
	return fmt.Errorf("paygate: %q is not in server.domain", host)
}

// TLSConfig serves the certificates (and answers tls-alpn-01 challenges).
func (m *Manager) TLSConfig() *tls.Config {
	c := m.acme.TLSConfig()
	c.MinVersion = tls.VersionTLS12
	return c
}

// HTTPHandler is the plain-HTTP side (:80): the CA's http-01 challenges,
// the reachability check, and Redirect for everything else.
func (m *Manager) HTTPHandler(app http.Handler) http.Handler {
	redirect := Redirect(m.opts.Domains[0], m.opts.HTTPSPort, m.domains, app)
	challenges := m.acme.HTTPHandler(redirect)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == probePath+m.probe {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte(m.probe))
			return
		}
		challenges.ServeHTTP(w, r)
	})
}

// Obtain gets a certificate for every domain now, and tries again after a
// failure until it has them or ctx ends; autocert renews them from then on,
// well before they expire (a third of their lifetime before). httpPort is
// the port the plain-HTTP side listens on, for the reachability check.
func (m *Manager) Obtain(ctx context.Context, httpPort int) {
	var wg sync.WaitGroup
	for _, d := range m.opts.Domains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for try := 0; ; try++ {
				if m.obtain(ctx, d, httpPort) {
					return
				}
				wait := m.opts.RetryAfter[min(try, len(m.opts.RetryAfter)-1)]
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		}()
	}
	wg.Wait()
}

// obtain makes one try for domain and records how it went.
func (m *Manager) obtain(ctx context.Context, domain string, httpPort int) bool {
	m.log.Info("https: checking the domain and obtaining its certificate", "domain", domain, "directory", m.opts.Directory)
	problem, definite := m.preflight(ctx, domain, httpPort)
	if problem == nil || !definite {
		var cert *tls.Certificate
		cert, err := m.acme.GetCertificate(ecdsaHello(domain))
		if err == nil {
			m.setState(domain, nil)
			m.log.Info("https: certificate ready", "domain", domain, "valid_until", app.FormatTime(cert.Leaf.NotAfter))
			return true
		}
		problem = explainACME(domain, m.opts.Directory, err, problem)
	}
	m.setState(domain, problem)
	m.log.Error("https: no certificate yet; paygate tries again by itself", "domain", domain, "zh", problem.Zh, "en", problem.En)
	return false
}

func (m *Manager) setState(domain string, p *app.Problem) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.states[domain] = p
}

// States reports each domain's certificate: its expiry (read from the
// cache, so renewals show) and why the last try failed.
func (m *Manager) States() []app.CertificateState {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]app.CertificateState, 0, len(m.opts.Domains))
	for _, d := range m.opts.Domains {
		s := app.CertificateState{Domain: d, Error: m.states[d]}
		if leaf := m.cachedLeaf(d); leaf != nil {
			s.NotAfter = leaf.NotAfter
		}
		out = append(out, s)
	}
	return out
}

// cachedLeaf is the certificate autocert keeps for domain (ECDSA), or nil.
func (m *Manager) cachedLeaf(domain string) *x509.Certificate {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	data, err := m.acme.Cache.Get(ctx, domain)
	if err != nil {
		return nil
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil
		}
		if b.Type == "CERTIFICATE" {
			leaf, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil
			}
			return leaf
		}
	}
}

// ecdsaHello asks autocert for the ECDSA certificate every current browser
// takes (an empty hello would get an RSA one).
func ecdsaHello(domain string) *tls.ClientHelloInfo {
	return &tls.ClientHelloInfo{
		ServerName:        domain,
		SignatureSchemes:  []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
		SupportedCurves:   []tls.CurveID{tls.CurveP256},
		CipherSuites:      []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		SupportedVersions: []uint16{tls.VersionTLS13, tls.VersionTLS12},
	}
}
