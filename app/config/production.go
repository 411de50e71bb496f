package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/viper"

	"paygate/app"
)

// ACME directories known by name in server.acme_directory.
var ACMEDirectories = map[string]string{
	"letsencrypt":         "https://acme-v02.api.letsencrypt.org/directory",
	"letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
	"zerossl":             "https://acme.zerossl.com/v2/DV90",
}

// Log is where and how paygate logs.
type Log struct {
	// File is the log file, "" for the console only. Auto: log.file was
	// left empty, so a service or a double-clicked set-up logs to
	// data/logs/paygate.log (LogFile decides).
	File     string
	Auto     bool
	JSON     bool
	Level    slog.Level
	MaxSize  int // megabytes before the file is rotated
	MaxAge   time.Duration
	Compress bool
}

// Metrics guard GET /metrics and the detailed /health.
type Metrics struct {
	Token string   // Bearer token; "" = none
	Allow []string // IPs and CIDRs let in without the token
}

// LogFile is the file paygate logs to: log.file when set; when it was left
// empty, data/logs/paygate.log for a service or a double-clicked set-up
// (the config file beside the program), where nobody reads a console.
func (cfg *Config) LogFile(asService bool) string {
	if cfg.Log.Auto && (asService || cfg.BesideProgram) {
		return filepath.Join(cfg.Data.Dir, "logs", "paygate.log")
	}
	return cfg.Log.File
}

var domainName = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)

func decodeHTTPS(v *viper.Viper, cfg *Config, bad func(string, error)) {
	for _, d := range strings.FieldsFunc(v.GetString("server.domain"), func(r rune) bool { return r == ',' || r == ' ' || r == '[' || r == ']' }) {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if !domainName.MatchString(d) || net.ParseIP(d) != nil {
			bad("server.domain", fmt.Errorf("%q is not a domain name like pay.example.com (no http://, no port, no path; an IP address cannot get a certificate)", d))
			continue
		}
		cfg.Server.Domains = append(cfg.Server.Domains, d)
	}
	dir := strings.TrimSpace(v.GetString("server.acme_directory"))
	if known, ok := ACMEDirectories[strings.ToLower(dir)]; ok {
		dir = known
	} else if u, err := url.Parse(dir); err != nil || u.Scheme != "https" || u.Host == "" {
		bad("server.acme_directory", fmt.Errorf("%q must be letsencrypt, letsencrypt-staging, zerossl or the https URL of an ACME directory", dir))
	}
	cfg.Server.ACMEDirectory = dir
	cfg.Server.ACMEEmail = strings.TrimSpace(v.GetString("server.acme_email"))
	cfg.Server.ACMEEABKeyID = strings.TrimSpace(v.GetString("server.acme_eab_kid"))
	cfg.Server.ACMEEABHMAC = strings.TrimSpace(v.GetString("server.acme_eab_hmac_key"))
	if (cfg.Server.ACMEEABKeyID == "") != (cfg.Server.ACMEEABHMAC == "") {
		bad("server.acme_eab_kid", errors.New("acme_eab_kid and acme_eab_hmac_key go together (both from the CA's dashboard, e.g. ZeroSSL's Developer page)"))
	} else if k := cfg.Server.ACMEEABHMAC; k != "" {
		if _, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k, "=")); err != nil {
			bad("server.acme_eab_hmac_key", errors.New("is not the base64url key the CA showed; copy it again"))
		}
	}
	if dir == ACMEDirectories["zerossl"] && cfg.Server.ACMEEABKeyID == "" && len(cfg.Server.Domains) > 0 {
		bad("server.acme_eab_kid", errors.New("ZeroSSL needs EAB credentials: create them on ZeroSSL's Developer page and set acme_eab_kid and acme_eab_hmac_key"))
	}
	cfg.Server.ACMECARoot = resolvePath(cfg.BaseDir, v.GetString("server.acme_ca_root"))
	if p := cfg.Server.ACMECARoot; p != "" {
		if _, err := os.Stat(p); err != nil {
			bad("server.acme_ca_root", fmt.Errorf("cannot read %s: %w", p, err))
		}
	}
	cfg.Server.HTTPAddr = strings.TrimSpace(v.GetString("server.http_addr"))
	if len(cfg.Server.Domains) == 0 {
		return
	}
	if cfg.Server.TLSCert != "" {
		bad("server.domain", errors.New("set either server.domain (paygate obtains certificates itself) or tls_cert and tls_key (your own certificate files), not both"))
	}
	if cfg.Server.HTTPAddr == "" {
		cfg.Server.HTTPAddr = ":80"
	}
	if !cfg.Server.AddrExplicit {
		cfg.Server.Addr, cfg.Server.AddrExplicit = ":443", true
	}
	if cfg.Server.PublicURL == "" {
		cfg.Server.PublicURL = "https://" + cfg.Server.Domains[0]
		if _, port, err := net.SplitHostPort(cfg.Server.Addr); err == nil && port != "443" {
			cfg.Server.PublicURL += ":" + port
		}
		// The certificate covers only this domain, so the console may not
		// point links elsewhere: the address is pinned where the domain was set.
		src := app.Source{Kind: app.SourceFile, Name: cfg.File}
		if envSet("server.domain") {
			src = app.Source{Kind: app.SourceEnv, Name: EnvName("server.domain")}
		}
		if cfg.Pinned == nil {
			cfg.Pinned = map[string]app.Source{}
		}
		cfg.Pinned["server.public_url"] = src
	}
}

func decodeLog(v *viper.Viper, cfg *Config, bad func(string, error), days func(string) time.Duration, boolean func(string) bool) {
	file := strings.TrimSpace(v.GetString("log.file"))
	switch strings.ToLower(file) {
	case "":
		cfg.Log.Auto = true
	case "off", "-", "none", "console":
	default:
		cfg.Log.File = resolvePath(cfg.BaseDir, file)
	}
	switch f := strings.ToLower(strings.TrimSpace(v.GetString("log.format"))); f {
	case "text", "":
	case "json":
		cfg.Log.JSON = true
	default:
		bad("log.format", fmt.Errorf("%q must be text or json", f))
	}
	if err := cfg.Log.Level.UnmarshalText([]byte(strings.TrimSpace(v.GetString("log.level")))); err != nil {
		bad("log.level", fmt.Errorf("%q must be debug, info, warn or error", v.GetString("log.level")))
	}
	size := v.GetSizeInBytes("log.max_size")
	cfg.Log.MaxSize = int((size + 1<<20 - 1) >> 20)
	if size == 0 || cfg.Log.MaxSize > 100000 {
		bad("log.max_size", fmt.Errorf("%q is not a size like 100MB (at least 1MB)", v.GetString("log.max_size")))
	}
	cfg.Log.MaxAge = days("log.max_age")
	cfg.Log.Compress = boolean("log.compress")
}

func decodeMetrics(v *viper.Viper, cfg *Config, bad func(string, error)) {
	cfg.Metrics.Token = strings.TrimSpace(v.GetString("metrics.token"))
	if t := cfg.Metrics.Token; t != "" && len(t) < 16 {
		bad("metrics.token", errors.New("must be at least 16 characters (e.g. openssl rand -hex 16): it is a password"))
	}
	for _, p := range strings.FieldsFunc(v.GetString("metrics.allow"), func(r rune) bool { return r == ',' || r == ' ' || r == '[' || r == ']' }) {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			bad("metrics.allow", fmt.Errorf("%q is not an IP address or CIDR like 127.0.0.1 or 10.0.0.0/8", p))
			continue
		}
		cfg.Metrics.Allow = append(cfg.Metrics.Allow, p)
	}
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ra == rb
}
