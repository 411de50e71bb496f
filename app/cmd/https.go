package cmd

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"paygate/app"
	"paygate/app/config"
	"paygate/app/tlsauto"
)

// newAutoTLS prepares automatic HTTPS for server.domain (nil without one);
// its certificates and ACME account key live in data/acme.
func newAutoTLS(cfg *config.Config, logger *slog.Logger) (*tlsauto.Manager, error) {
	if len(cfg.Server.Domains) == 0 {
		return nil, nil
	}
	o := tlsauto.Options{Domains: cfg.Server.Domains, Directory: cfg.Server.ACMEDirectory, Email: cfg.Server.ACMEEmail,
		EABKeyID: cfg.Server.ACMEEABKeyID, EABHMAC: cfg.Server.ACMEEABHMAC, CacheDir: filepath.Join(cfg.Data.Dir, "acme"),
		HTTPSPort: portOf(cfg.Server.Addr), Logger: logger}
	if file := cfg.Server.ACMECARoot; file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("server.acme_ca_root: %w", err)
		}
		o.CARoots = x509.NewCertPool()
		if !o.CARoots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("server.acme_ca_root: %s holds no PEM certificate", file)
		}
	}
	return tlsauto.New(o)
}

// listenMain opens the server's main address: :443 and friends, when HTTPS
// is automatic, with the reasons a low port fails explained.
func listenMain(cfg *config.Config, fallback func(string, bool) (net.Listener, error)) (net.Listener, error) {
	if len(cfg.Server.Domains) > 0 {
		return tlsauto.Listen(cfg.Server.Addr, "HTTPS")
	}
	return fallback(cfg.Server.Addr, !cfg.Server.AddrExplicit)
}

// plainHTTPSide starts the plain-HTTP listener (server.http_addr) beside
// HTTPS: it answers the CA's challenges, keeps the phones' forwarder
// endpoints and sends everything else to HTTPS. Nil when there is none.
func plainHTTPSide(cfg *config.Config, auto *tlsauto.Manager, handler http.Handler, logger *slog.Logger) (*http.Server, int, error) {
	if cfg.Server.HTTPAddr == "" || (auto == nil && cfg.Server.TLSCert == "") {
		return nil, 0, nil
	}
	ln, err := tlsauto.Listen(cfg.Server.HTTPAddr, "HTTP → HTTPS")
	if err != nil {
		return nil, 0, err
	}
	h := tlsauto.Redirect("", portOf(cfg.Server.Addr), nil, handler)
	if auto != nil {
		h = auto.HTTPHandler(handler)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: 60 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go func() { _ = srv.Serve(ln) }()
	return srv, ln.Addr().(*net.TCPAddr).Port, nil
}

// certificateStates is the Watchers hook for automatic HTTPS.
func certificateStates(auto *tlsauto.Manager) func() []app.CertificateState {
	if auto == nil {
		return nil
	}
	return auto.States
}

func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return port
}
