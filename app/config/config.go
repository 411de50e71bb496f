// Package config reads paygate's boot configuration from config.yaml,
// PAYGATE_<SECTION>_<KEY> environment variables and flags, in rising priority.
// It is the only package that imports viper.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/netguard"
)

// Config is the typed boot configuration.
type Config struct {
	File    string // the config.yaml that was read, "" if none
	BaseDir string // relative paths (data dir) are resolved against this
	// Created is true when this run wrote File from the template: a first
	// start with no configuration anywhere (a double-clicked binary).
	Created bool
	// Warnings are things worth telling the person starting paygate.
	Warnings []string
	// Pinned are the ConsoleKeys set explicitly, in config.yaml or the
	// environment, with where: they win over values saved in the console,
	// which shows them read-only. Keys not here are built-in defaults until
	// changed in the console.
	Pinned map[string]app.Source

	Server   Server
	Data     Data
	Merchant Merchant
	Order    Order
	Match    Match
	Callback Callback
	Device   Device
	Backup   Backup
	Links    Links

	Forwarder     Forwarder
	Notifications Notifications
	Replica       Replica
	Epay          Epay
	Log           Log
	Metrics       Metrics

	// BesideProgram: the config file in use lies beside the executable, as
	// in a double-clicked set-up; log.file then defaults to a file (log.go).
	BesideProgram bool
	Alerts        Alerts
}

// ConsoleKeys are the keys the admin console can also change (order and
// matching rules, the API key as a phone key).
var ConsoleKeys = []string{
	"order.lifetime", "order.min_amount", "order.max_amount", "order.slot_mode", "order.slot_max_offset",
	"match.window", "match.grace", "match.auto_confirm",
	"forwarder.accept_api_key",
	// The replica settings (app.ReplicaKeys): the console saves them, a
	// value set here wins.
	"replica.url", "replica.endpoint", "replica.region", "replica.access_key_id",
	"replica.secret_access_key", "replica.host_key", "replica.key_file",
	"server.public_url",
}

// EnvName is the environment variable that sets key, e.g. PAYGATE_ORDER_LIFETIME.
func EnvName(key string) string {
	return "PAYGATE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

type Server struct {
	Addr string
	// AddrExplicit is true when the address was chosen (config file,
	// environment or flag): then a taken port is an error; otherwise paygate
	// moves on to the next free port.
	AddrExplicit bool
	OpenBrowser  bool
	PublicURL    string // absolute base URL used in links; "" = from the request
	MaxBodySize  int64  // bytes
	// TrustedProxies are the reverse proxies (IPs or CIDRs) whose
	// X-Forwarded-For and X-Forwarded-Proto headers are believed.
	TrustedProxies []string
	// RateLimit is requests per second per client IP for the API and the
	// forwarder endpoints; 0 turns every rate limit off (load tests).
	RateLimit float64
	TLSCert   string // certificate file (PEM); with TLSKey, serve HTTPS
	TLSKey    string
	// Domains get certificates from ACME (Let's Encrypt unless ACMEDirectory
	// says otherwise) and are served over HTTPS on Addr (:443 unless chosen),
	// with HTTPAddr (:80) answering the CA's challenges and redirecting.
	Domains       []string
	ACMEDirectory string // directory URL
	ACMEEmail     string
	ACMEEABKeyID  string // external account binding (ZeroSSL and other CAs that ask for one)
	ACMEEABHMAC   string // base64url key
	ACMECARoot    string // PEM file of the CA the ACME directory's own HTTPS certificate chains to (a private CA); "" = the system's
	// HTTPAddr is the plain-HTTP listener that redirects to HTTPS (and
	// answers ACME challenges): :80 when Domains are set; "" = none.
	HTTPAddr string
}

type Backup struct {
	Interval time.Duration // 0 = no scheduled backups
	Keep     int           // newest backups kept in data/backups
}

type Data struct {
	Dir         string // absolute
	Synchronous string // SQLite synchronous pragma: FULL (default) or NORMAL
	ReadConns   int
}

// Merchant settings here only seed the database when it has none.
type Merchant struct {
	APIKey      string
	CallbackURL string
}

type Order struct {
	Lifetime  time.Duration
	MinAmount money.Fen
	MaxAmount money.Fen
	Slots     app.SlotPolicy
}

type Match struct {
	Policy app.MatchPolicy
}

type Callback struct {
	RetrySchedule []time.Duration // delay before each attempt; its length is the attempt count
	Timeout       time.Duration
	Workers       int // attempts in flight at once
	PerHost       int // attempts in flight at once to one slow or unknown destination host
	// AllowHosts are host names, IPs and CIDRs that per-order callback URLs
	// may reach although they are internal (loopback, private, link-local).
	AllowHosts []string
}

type Device struct {
	OfflineAfter time.Duration
}

// Forwarder is how the phones' forwarder apps are let in.
type Forwarder struct {
	// AcceptAPIKey: the merchant API key is accepted wherever a device key is
	// (the guide's flow), until the owner switches it off in the console.
	AcceptAPIKey bool
	// SignWindow is how far a signed SmsForwarder or V免签 timestamp may be
	// from the server's clock.
	SignWindow time.Duration
}

// Notifications are the stored forwarder requests' settings.
type Notifications struct {
	// Retention is how long stored requests that made no payment (ignored,
	// duplicate, refused, unreadable) are kept; 0 keeps them forever.
	// Requests that made a payment stay as long as the payment.
	Retention time.Duration
}

// Replica is the off-machine replication of the database (Litestream).
type Replica struct {
	// Settings are where to; those set here (Config.Pinned) win over the
	// ones saved in the console.
	Settings app.ReplicaSettings
	// SyncInterval bounds how long a commit waits before it is on its way
	// to the replica.
	SyncInterval time.Duration
	// Retention is how far back a point-in-time restore can go.
	Retention time.Duration
	// AlertAfter: the replica lagging this long raises an alert.
	AlertAfter time.Duration
}

// Epay is the 易支付 endpoints' settings.
type Epay struct {
	// ReopenWithin is how long after its expiry an unpaid order sent again
	// with its number (易支付 out_trade_no, or a REST merchantOrderId) is
	// reopened — the same trade_no with a fresh amount slot and lifetime —
	// as 彩虹易支付 keeps an order payable for days; 0 = never.
	ReopenWithin time.Duration
}

// Alerts are how paygate tells the owner that something needs them. The
// channels and quiet hours are set in the console.
type Alerts struct {
	// MaxPerHour bounds the messages one channel sends an hour; 0 = no limit.
	MaxPerHour int
	// Settle is how long a cleared incident must stay cleared before the
	// recovery message goes out: a blip sends nothing more.
	Settle time.Duration
	// OrderSilence: pending orders and no notification from any phone for
	// this long raise an alert.
	OrderSilence time.Duration
	// DiskMinFree: less free space than this on the data directory's disk
	// raises an alert.
	DiskMinFree int64
	// The services' API addresses (tests, self-hosted Bark servers, a
	// Telegram API mirror); the defaults are the real ones.
	BarkURL, ServerChanURL, TelegramURL string
}

// Links are the payment links' settings.
type Links struct {
	// RateLimit is how many orders one client IP may create through payment
	// links per minute; 0 = no limit.
	RateLimit int
	// MaxPendingPerIP is how many open orders one client network (an IPv4
	// address, an IPv6 /64) may have through payment links; 0 = no limit.
	MaxPendingPerIP int
	// MaxPendingPerLink is how many pending orders one payment link may
	// have; 0 = no limit.
	MaxPendingPerLink int
}

// minRetention is the shortest notifications.retention: well over twice
// the longest forwarder.sign_window, so a signed timestamp's first use is
// still stored whenever a replay of it could pass the window.
const minRetention = 7 * 24 * time.Hour

// Defaults, also the values written in config.yaml's comments.
const (
	DefaultRetrySchedule = "0s 15s 1m 5m 15m 1h 2h 6h 12h 24h"
)

func setDefaults(v *viper.Viper) {
	v.SetDefault("server.addr", ":3000")
	v.SetDefault("server.domain", "")
	v.SetDefault("server.acme_directory", "letsencrypt")
	v.SetDefault("server.acme_email", "")
	v.SetDefault("server.acme_eab_kid", "")
	v.SetDefault("server.acme_eab_hmac_key", "")
	v.SetDefault("server.acme_ca_root", "")
	v.SetDefault("server.http_addr", "")
	v.SetDefault("log.file", "")
	v.SetDefault("log.format", "text")
	v.SetDefault("log.level", "info")
	v.SetDefault("log.max_size", "100MB")
	v.SetDefault("log.max_age", "30d")
	v.SetDefault("log.compress", true)
	v.SetDefault("metrics.token", "")
	v.SetDefault("metrics.allow", "")
	v.SetDefault("server.open_browser", false)
	v.SetDefault("server.public_url", "")
	v.SetDefault("server.max_body_size", "64KB")
	v.SetDefault("server.rate_limit", 50)
	v.SetDefault("server.tls_cert", "")
	v.SetDefault("server.tls_key", "")
	v.SetDefault("backup.interval", "24h")
	v.SetDefault("backup.keep", 7)
	v.SetDefault("server.trusted_proxies", "")
	v.SetDefault("data.dir", "data")
	v.SetDefault("data.synchronous", "FULL")
	v.SetDefault("data.read_conns", 8)
	v.SetDefault("merchant.api_key", "")
	v.SetDefault("merchant.callback_url", "")
	v.SetDefault("order.lifetime", "15m")
	v.SetDefault("order.min_amount", "0.01")
	v.SetDefault("order.max_amount", "10000")
	v.SetDefault("order.slot_mode", string(app.SlotAlternate))
	v.SetDefault("order.slot_max_offset", "0.50")
	v.SetDefault("match.window", "15m")
	v.SetDefault("match.grace", "10m")
	v.SetDefault("match.auto_confirm", string(app.ConfidenceMedium))
	v.SetDefault("callback.retry_schedule", DefaultRetrySchedule)
	v.SetDefault("callback.timeout", "5s")
	v.SetDefault("callback.workers", 32)
	v.SetDefault("callback.per_host", 2)
	v.SetDefault("callback.allow_hosts", "")
	v.SetDefault("device.offline_after", "10m")
	v.SetDefault("forwarder.accept_api_key", true)
	v.SetDefault("forwarder.sign_window", "15m")
	v.SetDefault("epay.reopen_within", "24h")
	v.SetDefault("links.rate_limit", 10)
	v.SetDefault("links.max_pending_per_ip", 3)
	v.SetDefault("links.max_pending_per_link", 20)
	v.SetDefault("notifications.retention", "90d")
	for _, k := range app.ReplicaKeys {
		v.SetDefault(k, "")
	}
	v.SetDefault("replica.sync_interval", "1s")
	v.SetDefault("replica.retention", "7d")
	v.SetDefault("replica.alert_after", "1m")
	v.SetDefault("alerts.max_per_hour", 20)
	v.SetDefault("alerts.settle", "1m")
	v.SetDefault("alerts.order_silence", "10m")
	v.SetDefault("alerts.disk_min_free", "500MB")
	v.SetDefault("alerts.bark_url", "https://api.day.app")
	v.SetDefault("alerts.serverchan_url", "https://sctapi.ftqq.com")
	v.SetDefault("alerts.telegram_url", "https://api.telegram.org")
}

// LoadOrCreate reads the configuration. args are the command-line flags
// (without the program name); an unknown flag is an error. When there is no
// configuration anywhere — no config.yaml in the working directory or beside
// the executable, no --config, PAYGATE_CONFIG or data directory given — it
// writes template as config.yaml beside the executable and reads it
// (Config.Created). That is a
// double-clicked binary's first start: its config.yaml and data/ then live
// beside it, whatever the working directory. Under `go run` (a temporary
// build directory) nothing is written and the working directory is used.
func LoadOrCreate(args []string, template []byte) (*Config, error) {
	fs := pflag.NewFlagSet("paygate", pflag.ContinueOnError)
	fs.String("config", "", "path to config.yaml (default: ./config.yaml, else beside the executable)")
	fs.String("addr", "", "listen address, e.g. :3000 or 127.0.0.1:3000 (server.addr)")
	fs.String("data-dir", "", "directory for the database and backups (data.dir)")
	fs.String("open-browser", "", "open the browser at start: true or false (server.open_browser)")
	fs.String("public-url", "", "public base URL for links, e.g. https://pay.example.com (server.public_url)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unknown command %q (see paygate --help)", fs.Arg(0))
	}

	v := viper.New()
	setDefaults(v)
	v.SetEnvPrefix("PAYGATE")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()

	flagSet := func(name string) bool { s, _ := fs.GetString(name); return s != "" }

	file, _ := fs.GetString("config")
	if file == "" {
		file = os.Getenv("PAYGATE_CONFIG")
	}
	if file == "" {
		file = findConfigFile()
	}
	cfg := &Config{}
	if file == "" && template != nil && !flagSet("data-dir") && !envSet("data.dir") {
		if dir := executableDir(); dir != "" && !isGoRunBuild(dir) {
			p := filepath.Join(dir, "config.yaml")
			if err := writeNew(p, template); err != nil {
				cfg.Warnings = append(cfg.Warnings, fmt.Sprintf("could not write %s (%v): running with the built-in defaults", p, err))
			} else {
				file, cfg.Created = p, true
			}
		}
	}
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("reading %s: %w (fix the file or remove it to use the defaults)", file, err)
		}
		abs, err := filepath.Abs(file)
		if err == nil {
			file = abs
		}
		cfg.File = file
		cfg.BaseDir = filepath.Dir(file)
		cfg.BesideProgram = sameDir(cfg.BaseDir, executableDir())
	} else {
		cfg.BaseDir = defaultBaseDir()
	}

	for flag, key := range map[string]string{
		"addr": "server.addr", "data-dir": "data.dir", "open-browser": "server.open_browser", "public-url": "server.public_url",
	} {
		if s, _ := fs.GetString(flag); s != "" {
			v.Set(key, s)
		}
	}
	cfg.Server.AddrExplicit = flagSet("addr") || envSet("server.addr") || v.InConfig("server.addr")
	cfg.Pinned = map[string]app.Source{}
	for _, key := range ConsoleKeys {
		switch {
		case key == "server.public_url" && flagSet("public-url"):
			cfg.Pinned[key] = app.Source{Kind: app.SourceFlag, Name: "--public-url"}
		case envSet(key):
			cfg.Pinned[key] = app.Source{Kind: app.SourceEnv, Name: EnvName(key)}
		case file != "" && v.InConfig(key) && (key != "server.public_url" || strings.TrimSpace(v.GetString(key)) != ""):
			// An empty public_url (older config.yaml files have one) is unset, not pinned.
			cfg.Pinned[key] = app.Source{Kind: app.SourceFile, Name: cfg.File}
		}
	}
	// The first start of a double-clicked binary opens the browser on the
	// first-run page, unless the environment or a flag says otherwise.
	if cfg.Created && !flagSet("open-browser") && !envSet("server.open_browser") {
		v.Set("server.open_browser", "true")
	}
	return decode(v, cfg)
}

// envSet reports whether key is set, not blank, in the environment.
func envSet(key string) bool {
	s, ok := os.LookupEnv(EnvName(key))
	return ok && strings.TrimSpace(s) != ""
}

// oneLineEach lists errs one per line, indented under the header.
func oneLineEach(errs []error) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = strings.ReplaceAll(e.Error(), "\n", "\n  ")
	}
	return strings.Join(lines, "\n  ")
}

// writeNew creates path with data; it never replaces an existing file.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

func decode(v *viper.Viper, cfg *Config) (*Config, error) {
	var errs []error
	bad := func(key string, err error) {
		errs = append(errs, fmt.Errorf("%s (env %s): %w", key, EnvName(key), err))
	}
	dur := func(key string) time.Duration {
		d, err := time.ParseDuration(strings.TrimSpace(v.GetString(key)))
		if err != nil || d < 0 {
			bad(key, fmt.Errorf("%q is not a duration like 15m or 30s", v.GetString(key)))
		}
		return d
	}
	// days is dur that also takes whole days: 90d.
	days := func(key string) time.Duration {
		s := strings.TrimSpace(v.GetString(key))
		if n, ok := strings.CutSuffix(s, "d"); ok {
			d, err := strconv.Atoi(n)
			if err != nil || d < 0 || d > 100000 {
				bad(key, fmt.Errorf("%q is not a number of days like 90d, or a duration like 720h", s))
			}
			return time.Duration(d) * 24 * time.Hour
		}
		return dur(key)
	}
	amount := func(key string) money.Fen {
		f, err := money.ParseYuan(v.GetString(key))
		if err != nil || f <= 0 {
			bad(key, fmt.Errorf("%q is not an amount in yuan like 0.50", v.GetString(key)))
		}
		return f
	}
	boolean := func(key string) bool {
		switch strings.ToLower(strings.TrimSpace(v.GetString(key))) {
		case "true", "1", "yes", "on":
			return true
		case "false", "0", "no", "off", "":
			return false
		}
		bad(key, fmt.Errorf("%q is not true or false", v.GetString(key)))
		return false
	}

	cfg.Server.Addr = strings.TrimSpace(v.GetString("server.addr"))
	cfg.Server.OpenBrowser = boolean("server.open_browser")
	cfg.Server.PublicURL = strings.TrimRight(strings.TrimSpace(v.GetString("server.public_url")), "/")
	if p := cfg.Server.PublicURL; p != "" {
		u, err := url.Parse(p)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			bad("server.public_url", fmt.Errorf("%q must be the scheme and host payers use, like https://pay.example.com (no path)", p))
		}
	}
	if cfg.Server.Addr == "" {
		cfg.Server.Addr, cfg.Server.AddrExplicit = ":3000", false
	}
	cfg.Server.MaxBodySize = int64(v.GetSizeInBytes("server.max_body_size"))
	for _, p := range strings.FieldsFunc(v.GetString("server.trusted_proxies"), func(r rune) bool { return r == ',' || r == ' ' || r == '[' || r == ']' }) {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			bad("server.trusted_proxies", fmt.Errorf("%q is not an IP address or CIDR like 127.0.0.1 or 10.0.0.0/8", p))
			continue
		}
		cfg.Server.TrustedProxies = append(cfg.Server.TrustedProxies, p)
	}
	cfg.Server.RateLimit = v.GetFloat64("server.rate_limit")
	if cfg.Server.RateLimit < 0 {
		bad("server.rate_limit", errors.New("must be 0 (off) or a number of requests per second"))
	}
	cfg.Server.TLSCert = resolvePath(cfg.BaseDir, v.GetString("server.tls_cert"))
	cfg.Server.TLSKey = resolvePath(cfg.BaseDir, v.GetString("server.tls_key"))
	if (cfg.Server.TLSCert == "") != (cfg.Server.TLSKey == "") {
		bad("server.tls_cert", errors.New("tls_cert and tls_key go together: set both (PEM files) or neither"))
	}
	decodeHTTPS(v, cfg, bad)
	decodeLog(v, cfg, bad, days, boolean)
	decodeMetrics(v, cfg, bad)
	cfg.Backup.Interval = dur("backup.interval")
	cfg.Backup.Keep = v.GetInt("backup.keep")
	if cfg.Backup.Keep < 1 {
		bad("backup.keep", errors.New("must be at least 1"))
	}
	if cfg.Server.MaxBodySize <= 0 {
		bad("server.max_body_size", fmt.Errorf("%q is not a size like 64KB", v.GetString("server.max_body_size")))
	}

	dir := strings.TrimSpace(v.GetString("data.dir"))
	if dir == "" {
		dir = "data"
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(cfg.BaseDir, dir)
	}
	cfg.Data.Dir = dir
	cfg.Data.Synchronous = strings.ToUpper(strings.TrimSpace(v.GetString("data.synchronous")))
	if cfg.Data.Synchronous != "FULL" && cfg.Data.Synchronous != "NORMAL" {
		bad("data.synchronous", fmt.Errorf("%q must be FULL or NORMAL", cfg.Data.Synchronous))
	}
	cfg.Data.ReadConns = v.GetInt("data.read_conns")
	if cfg.Data.ReadConns < 1 {
		cfg.Data.ReadConns = 1
	}

	cfg.Merchant.APIKey = strings.TrimSpace(v.GetString("merchant.api_key"))
	cfg.Merchant.CallbackURL = strings.TrimSpace(v.GetString("merchant.callback_url"))

	cfg.Order.Lifetime = dur("order.lifetime")
	if cfg.Order.Lifetime < time.Second || cfg.Order.Lifetime > 24*time.Hour {
		bad("order.lifetime", errors.New("must be between 1s and 24h, e.g. 15m"))
	}
	cfg.Order.MinAmount = amount("order.min_amount")
	cfg.Order.MaxAmount = amount("order.max_amount")
	if cfg.Order.MaxAmount < cfg.Order.MinAmount {
		bad("order.max_amount", errors.New("must not be below order.min_amount"))
	}
	switch mode := app.SlotMode(strings.ToLower(v.GetString("order.slot_mode"))); mode {
	case app.SlotAlternate, app.SlotUp, app.SlotDown:
		cfg.Order.Slots.Mode = mode
	default:
		bad("order.slot_mode", fmt.Errorf("%q must be alternate, up or down", mode))
	}
	if off, err := money.ParseYuan(v.GetString("order.slot_max_offset")); err != nil || off < 0 || off > 10000 {
		bad("order.slot_max_offset", fmt.Errorf("%q must be an amount between 0 and 100 yuan", v.GetString("order.slot_max_offset")))
	} else {
		cfg.Order.Slots.MaxOffset = off
	}

	cfg.Match.Policy.Window = dur("match.window")
	if w := cfg.Match.Policy.Window; w < time.Second || w > 24*time.Hour {
		bad("match.window", errors.New("must be between 1s and 24h, e.g. 15m"))
	} else if l := cfg.Order.Lifetime; l > w {
		errs = append(errs, fmt.Errorf("order.lifetime (%s, %s) is longer than match.window (%s, %s): "+
			"a payment for an order older than the match window never matches it, so a payer who pays late in the order's lifetime is never credited. "+
			"Set match.window (%s) to at least %s, or order.lifetime (%s) to at most %s",
			shortDuration(l), cfg.origin("order.lifetime"), shortDuration(w), cfg.origin("match.window"),
			EnvName("match.window"), shortDuration(l), EnvName("order.lifetime"), shortDuration(w)))
	}
	cfg.Match.Policy.Grace = dur("match.grace")
	if g := cfg.Match.Policy.Grace; g <= 0 || g > 24*time.Hour {
		bad("match.grace", errors.New("must be more than 0 and at most 24h, e.g. 10m: an amount freed by a paid, expired or closed order "+
			"is not given to a new order for this long, so a late or repeated notification for the old order never pays the new one"))
	}
	switch c := app.Confidence(strings.ToLower(v.GetString("match.auto_confirm"))); c {
	case app.ConfidenceHigh, app.ConfidenceMedium, app.ConfidenceLow:
		cfg.Match.Policy.AutoConfirm = c
	default:
		bad("match.auto_confirm", fmt.Errorf("%q must be high, medium or low", c))
	}

	sched, err := ParseSchedule(v.GetString("callback.retry_schedule"))
	if err != nil {
		bad("callback.retry_schedule", err)
	}
	cfg.Callback.RetrySchedule = sched
	cfg.Callback.Timeout = dur("callback.timeout")
	cfg.Callback.Workers = v.GetInt("callback.workers")
	if cfg.Callback.Workers < 1 {
		cfg.Callback.Workers = 1
	}
	cfg.Callback.PerHost = v.GetInt("callback.per_host")
	if cfg.Callback.PerHost < 1 {
		bad("callback.per_host", fmt.Errorf("%q must be at least 1", v.GetString("callback.per_host")))
	}
	cfg.Callback.AllowHosts = strings.FieldsFunc(v.GetString("callback.allow_hosts"), func(r rune) bool { return r == ',' || r == ' ' })
	if _, err := netguard.New(cfg.Callback.AllowHosts); err != nil {
		bad("callback.allow_hosts", err)
	}
	cfg.Device.OfflineAfter = dur("device.offline_after")
	cfg.Forwarder.AcceptAPIKey = boolean("forwarder.accept_api_key")
	cfg.Forwarder.SignWindow = dur("forwarder.sign_window")
	if w := cfg.Forwarder.SignWindow; w < time.Minute || w > 24*time.Hour {
		bad("forwarder.sign_window", errors.New("must be between 1m and 24h, e.g. 15m"))
	}
	cfg.Notifications.Retention = days("notifications.retention")
	if r := cfg.Notifications.Retention; r != 0 && r < minRetention {
		bad("notifications.retention", errors.New("must be 0 (keep forever) or at least 7d: a repeated notification is recognised by the one stored before it"))
	}
	cfg.Epay.ReopenWithin = dur("epay.reopen_within")
	if r := cfg.Epay.ReopenWithin; r < 0 || r > 30*24*time.Hour {
		bad("epay.reopen_within", errors.New("must be between 0 (never reopen) and 720h, e.g. 24h"))
	}
	rl, err := strconv.Atoi(strings.TrimSpace(v.GetString("links.rate_limit")))
	cfg.Links.RateLimit = rl
	if err != nil || rl < 0 || rl > 100000 {
		bad("links.rate_limit", fmt.Errorf("%q must be a whole number of orders per minute, e.g. 10 (0 = no limit)", v.GetString("links.rate_limit")))
	}
	if cfg.Server.RateLimit == 0 {
		cfg.Links.RateLimit = 0 // server.rate_limit 0 turns every limit off, for load tests
	}
	// The caps on open link orders are not rate limits: they keep a price's
	// amounts from being held by strangers, so server.rate_limit 0 leaves them.
	for _, c := range []struct {
		key  string
		dest *int
		eg   int
	}{{"links.max_pending_per_ip", &cfg.Links.MaxPendingPerIP, 3}, {"links.max_pending_per_link", &cfg.Links.MaxPendingPerLink, 20}} {
		n, err := strconv.Atoi(strings.TrimSpace(v.GetString(c.key)))
		*c.dest = n
		if err != nil || n < 0 || n > 100000 {
			bad(c.key, fmt.Errorf("%q must be a whole number of orders, e.g. %d (0 = no limit)", v.GetString(c.key), c.eg))
		}
	}

	for _, k := range app.ReplicaKeys {
		cfg.Replica.Settings.Set(k, v.GetString(k))
	}
	if err := cfg.Replica.Settings.Validate(); err != nil && cfg.Pinned[app.ErrorField(err)].Pinned() {
		bad(app.ErrorField(err), errors.New(app.ErrorMessage(err, "en")))
	}
	cfg.Replica.SyncInterval = dur("replica.sync_interval")
	if d := cfg.Replica.SyncInterval; d < 100*time.Millisecond || d > time.Minute {
		bad("replica.sync_interval", errors.New("must be between 100ms and 1m, e.g. 1s: at most this long of payments is lost with the machine"))
	}
	cfg.Replica.Retention = days("replica.retention")
	if cfg.Replica.Retention < 7*24*time.Hour {
		bad("replica.retention", errors.New("must be at least 7d: how far back a point-in-time restore from the replica can go"))
	}
	cfg.Replica.AlertAfter = dur("replica.alert_after")
	if cfg.Replica.AlertAfter < 10*time.Second {
		bad("replica.alert_after", errors.New("must be at least 10s, e.g. 1m"))
	}
	cfg.Alerts.MaxPerHour = v.GetInt("alerts.max_per_hour")
	if cfg.Alerts.MaxPerHour < 0 {
		bad("alerts.max_per_hour", errors.New("must be 0 (no limit) or a number of messages per hour per channel, e.g. 20"))
	}
	cfg.Alerts.Settle = dur("alerts.settle")
	cfg.Alerts.OrderSilence = dur("alerts.order_silence")
	if s := cfg.Alerts.OrderSilence; s < time.Minute && s != 0 {
		bad("alerts.order_silence", errors.New("must be at least 1m, e.g. 10m (0 turns the alert off)"))
	}
	cfg.Alerts.DiskMinFree = int64(v.GetSizeInBytes("alerts.disk_min_free"))
	for key, dest := range map[string]*string{"alerts.bark_url": &cfg.Alerts.BarkURL, "alerts.serverchan_url": &cfg.Alerts.ServerChanURL,
		"alerts.telegram_url": &cfg.Alerts.TelegramURL} {
		*dest = strings.TrimRight(strings.TrimSpace(v.GetString(key)), "/")
		if u, err := url.Parse(*dest); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(key, fmt.Errorf("%q is not an http(s) address", *dest))
		}
	}

	if len(errs) > 0 {
		// The header is in Chinese too: a shop owner who edited config.yaml
		// reads this; each line names the setting as it is written there.
		return nil, fmt.Errorf("配置有误，paygate 没有启动。下面每行是一项设置（config.yaml 里的名字，括号里是环境变量）和它的问题：改正后再启动。\n"+
			"configuration is not valid (each line: the setting, its environment variable, what is wrong):\n  %s", oneLineEach(errs))
	}
	return cfg, nil
}

// origin says where key's value came from, for error messages.
func (cfg *Config) origin(key string) string {
	switch s := cfg.Pinned[key]; s.Kind {
	case app.SourceEnv:
		return "from " + s.Name
	case app.SourceFile:
		return "from " + filepath.Base(s.Name)
	}
	return "the default"
}

// shortDuration writes 20m rather than 20m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// resolvePath makes a relative path relative to base; "" stays "".
func resolvePath(base, p string) string {
	p = strings.TrimSpace(p)
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// ParseSchedule reads "0s 15s 1m" (spaces or commas) into delays.
func ParseSchedule(s string) ([]time.Duration, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	if len(fields) == 0 {
		return nil, errors.New("needs at least one delay, e.g. \"0s 15s 1m 5m\"")
	}
	out := make([]time.Duration, 0, len(fields))
	for _, f := range fields {
		d, err := time.ParseDuration(f)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("%q is not a delay like 15s, 1m or 2h", f)
		}
		out = append(out, d)
	}
	return out, nil
}

// findConfigFile looks for config.yaml in the working directory, then beside
// the executable.
func findConfigFile() string {
	if fileExists("config.yaml") {
		return "config.yaml"
	}
	if dir := executableDir(); dir != "" {
		p := filepath.Join(dir, "config.yaml")
		if fileExists(p) {
			return p
		}
	}
	return ""
}

// defaultBaseDir is where data/ goes when there is no config file: beside the
// executable, so a double-clicked binary keeps its data next to itself — except
// under `go run`, whose executable lives in a temporary build directory.
func defaultBaseDir() string {
	wd, _ := os.Getwd()
	dir := executableDir()
	if dir == "" || isGoRunBuild(dir) {
		return wd
	}
	return dir
}

func executableDir() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return filepath.Dir(exe)
}

func isGoRunBuild(dir string) bool {
	tmp, _ := filepath.EvalSymlinks(os.TempDir())
	return strings.Contains(dir, "go-build") && (tmp == "" || strings.HasPrefix(dir, tmp) || strings.HasPrefix(dir, os.TempDir()))
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
