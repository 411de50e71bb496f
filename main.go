// Command paygate is a payment gateway for merchants who take money on their
// personal Alipay / WeChat 收款码. main parses the command line, loads the
// configuration, opens the store and starts the web server; nothing else.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"paygate/app"
	"paygate/app/backup"
	"paygate/app/bench"
	"paygate/app/callback"
	"paygate/app/config"
	"paygate/app/desktop"
	"paygate/app/gateway"
	"paygate/app/merchantdemo"
	"paygate/app/netguard"
	"paygate/app/store"
	"paygate/app/web"
)

// version is stamped by the release build: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// configTemplate is the commented config.yaml, written beside the binary on
// its first start when there is no configuration anywhere.
//
//go:embed config.yaml
var configTemplate []byte

func main() {
	code := run(os.Args[1:])
	if code != 0 && serverCommand(os.Args[1:]) {
		// A double-clicked paygate.exe: keep the window open to read why.
		desktop.HoldWindow(os.Stderr)
	}
	os.Exit(code)
}

// serverCommand: args start the server (no sub-command, only flags).
func serverCommand(args []string) bool {
	return len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelp(args[0]) && args[0] != "--version" && args[0] != "-v"
}

func isHelp(a string) bool { return a == "help" || a == "--help" || a == "-h" || a == "-help" }

func run(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "version", "--version", "-v":
			fmt.Println("paygate", version)
			return 0
		case "help", "--help", "-h", "-help":
			usage()
			return 0
		case "merchant-demo":
			return merchantDemo(args[1:])
		case "bench":
			return bench.Main(args[1:], os.Stdout, os.Stderr)
		}
	}
	command := ""
	if len(args) > 0 && (args[0] == "reset-admin" || args[0] == "backup" || args[0] == "restore") {
		command, args = args[0], args[1:]
	}
	restoreFile := ""
	if command == "restore" {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			fmt.Fprintln(os.Stderr, "paygate restore: name the backup file, e.g. paygate restore data/backups/paygate-20261126-020000.db")
			return 2
		}
		restoreFile, args = args[0], args[1:]
	}
	cfg, err := config.LoadOrCreate(args, configTemplate)
	if err != nil {
		fmt.Fprintln(os.Stderr, "paygate:", err)
		if strings.Contains(err.Error(), "unknown flag") || strings.Contains(err.Error(), "unknown command") {
			usage()
		}
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)
	for _, w := range cfg.Warnings {
		logger.Warn(w)
	}
	if cfg.Created {
		logger.Info("first start: wrote a commented config.yaml beside the executable", "config", cfg.File)
	}
	switch command {
	case "reset-admin":
		return runResetAdmin(cfg)
	case "backup":
		return runBackup(cfg)
	case "restore":
		return runRestore(cfg, restoreFile)
	}
	if err := serve(cfg, logger); err != nil {
		logger.Error("paygate stopped", "err", err)
		explain(os.Stderr, cfg.Data.Dir, err)
		return 1
	}
	return 0
}

// fail reports why a command failed: in Chinese and English with what to do
// when err says so, else as it is.
func fail(command, dataDir string, err error) int {
	var e *app.Error
	if errors.As(err, &e) {
		explain(os.Stderr, dataDir, err)
	} else {
		fmt.Fprintln(os.Stderr, command+":", err)
	}
	return 1
}

// explain tells a person why paygate cannot go on and what to do, in Chinese
// and English, when err says so (a data directory in use, not writable or
// full, a damaged or newer database, an unusable backup); the OS or SQLite
// error beneath stays in err's text, which the server's log line shows.
func explain(w io.Writer, dataDir string, err error) {
	var e *app.Error
	if !errors.As(err, &e) {
		return
	}
	fmt.Fprintf(w, "\n  %s\n  %s\n", e.Zh, e.En)
	if errors.Is(err, store.ErrCorrupt) {
		if list, _ := backup.List(backup.Dir(dataDir)); len(list) > 0 {
			fmt.Fprintf(w, "\n  最新的备份 Newest backup:  %s\n  恢复 Restore:  paygate restore %s\n", list[0], list[0])
		} else {
			fmt.Fprintf(w, "\n  %s 里没有备份：如果别处有副本，用 paygate restore 副本文件 恢复；否则把损坏的 paygate.db 移走，paygate 会用一个空数据库启动。\n"+
				"  There is no backup in %s: if you have a copy elsewhere, paygate restore COPY-FILE; otherwise move the damaged paygate.db away and paygate starts with an empty database.\n",
				backup.Dir(dataDir), backup.Dir(dataDir))
		}
	}
	fmt.Fprintln(w)
}

func usage() {
	fmt.Print(`paygate — payment gateway for personal Alipay / WeChat 收款码

Usage:
  paygate [flags]          start the server (double-click: config.yaml and data/ are created
                           beside the program, the browser opens on the first-run page)
  paygate version          print the version
  paygate help             print this help
  paygate merchant-demo [--addr 127.0.0.1:3001] [--key API_KEY] [--path /payment-callback]
                           a local merchant that receives, verifies and prints
                           callbacks, to test a set-up (key default: $PAYGATE_MERCHANT_API_KEY)
  paygate reset-admin      forgot the admin password: remove the admin account (stop paygate first);
                           the next visit to the console asks for a new one
  paygate bench SCENARIO   load-test a paygate on this machine (orders, webhook, same-amount,
                           status, admin, export, seed, startup); .ci/bench runs them all
  paygate backup           write a consistent copy of the database to data/backups now
                           (safe while paygate runs)
  paygate restore FILE     put a backup back (stop paygate first); the current database is
                           kept beside it as paygate.db.before-restore-<time>

Flags:
  --config FILE            config.yaml to read (default ./config.yaml, else beside the executable)
  --addr ADDR              listen address, e.g. :3000 or 127.0.0.1:3000
  --data-dir DIR           directory for the database (default data/)
  --open-browser BOOL      open the browser at start
  --public-url URL         public base URL used in links (checkout pages, payment links)

Every config.yaml key can also be set as PAYGATE_<SECTION>_<KEY>,
e.g. PAYGATE_SERVER_ADDR=127.0.0.1:3000 or PAYGATE_MERCHANT_API_KEY=….
`)
}

// merchantDemo runs `paygate merchant-demo` until Ctrl+C.
func merchantDemo(args []string) int {
	opts, err := merchantdemo.ParseFlags(args, os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "paygate merchant-demo:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := merchantdemo.Run(ctx, opts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "paygate merchant-demo:", err)
		return 1
	}
	return 0
}

func serve(cfg *config.Config, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	unlock, err := store.Lock(cfg.Data.Dir)
	if err != nil {
		return err
	}
	defer unlock()

	db, err := store.Open(ctx, cfg.Data.Dir, store.Options{Synchronous: cfg.Data.Synchronous, ReadConns: cfg.Data.ReadConns})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SeedSettings(ctx, cfg.Merchant.APIKey, cfg.Merchant.CallbackURL); err != nil {
		return fmt.Errorf("seeding settings: %w", err)
	}

	guard, err := netguard.New(cfg.Callback.AllowHosts)
	if err != nil {
		return fmt.Errorf("callback.allow_hosts: %w", err)
	}
	dispatcher := callback.New(db, callback.Options{
		Schedule: cfg.Callback.RetrySchedule,
		Timeout:  cfg.Callback.Timeout,
		Workers:  cfg.Callback.Workers,
		PerHost:  cfg.Callback.PerHost,
		Guard:    guard,
		Logger:   logger,
	})
	gw := gateway.New(db, dispatcher, gateway.Options{
		Defaults: app.Tuning{
			OrderLifetime: cfg.Order.Lifetime,
			MinAmount:     cfg.Order.MinAmount,
			MaxAmount:     cfg.Order.MaxAmount,
			Slots:         cfg.Order.Slots,
			Match:         cfg.Match.Policy,
		},
		Pinned:                 cfg.Pinned,
		RefuseAPIKeyFromPhones: !cfg.Forwarder.AcceptAPIKey,
		ForwarderSignWindow:    cfg.Forwarder.SignWindow,
		NotificationRetention:  cfg.Notifications.Retention,
		DeviceOfflineAfter:     cfg.Device.OfflineAfter,
		LinkRateLimit:          cfg.Links.RateLimit,
		LinkLimits:             app.LinkLimits{PerNetwork: cfg.Links.MaxPendingPerIP, PerLink: cfg.Links.MaxPendingPerLink},
		CallbackGuard:          guard,
		Logger:                 logger,
	})
	if err := gw.LoadTuning(ctx); err != nil {
		return fmt.Errorf("loading settings: %w", err)
	}
	// Notifications stored but never applied (the process died in between)
	// are applied before serving; the sweeper tries again whatever is left.
	if err := gw.ApplyPending(ctx, db.Now()); err != nil {
		logger.Error("applying stored notifications", "err", err)
	}
	handler := web.New(gw, web.Options{MaxBodySize: cfg.Server.MaxBodySize, Version: version, Logger: logger,
		TrustedProxies: cfg.Server.TrustedProxies, PublicURL: cfg.Server.PublicURL, RateLimit: cfg.Server.RateLimit})

	ln, err := desktop.Listen(cfg.Server.Addr, !cfg.Server.AddrExplicit)
	if err != nil {
		return err
	}
	guard.SetOwnPort(ln.Addr().(*net.TCPAddr).Port)
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	done := make(chan struct{})
	go func() { dispatcher.Run(ctx); close(done) }()
	go gw.RunSweeper(ctx, 5*time.Second)
	go backup.Run(ctx, db, backup.Dir(cfg.Data.Dir), cfg.Backup.Interval, cfg.Backup.Keep, logger)

	serveErr := make(chan error, 1)
	scheme := "http"
	if cfg.Server.TLSCert != "" {
		scheme = "https"
		go func() { serveErr <- srv.ServeTLS(ln, cfg.Server.TLSCert, cfg.Server.TLSKey) }()
	} else {
		go func() { serveErr <- srv.Serve(ln) }()
	}
	url := scheme + "://" + displayAddr(ln.Addr())
	logger.Info("paygate started", "version", version, "url", url, "data", cfg.Data.Dir, "config", cfg.File)
	banner := desktop.Banner{Version: version, URL: url, Config: cfg.File, Data: cfg.Data.Dir}
	if _, asked, err := net.SplitHostPort(cfg.Server.Addr); err == nil && !cfg.Server.AddrExplicit && ln.Addr().(*net.TCPAddr).Port != atoi(asked) {
		banner.Moved = asked
	}
	if token, need, err := gw.SetupToken(ctx); err == nil && need {
		logger.Warn("no admin account yet: open the admin console to create it; from another computer the first-run page asks for this setup token",
			"url", url+"/admin/setup", "setup_token", token)
		banner.SetupToken = token
	}
	banner.Print(os.Stdout)
	if cfg.Server.OpenBrowser {
		if err := desktop.OpenBrowser(url + "/"); err != nil {
			logger.Warn("could not open the browser; open the address yourself", "url", url, "err", err)
		}
	}

	select {
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	stop()
	<-done
	return nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return tcp.String()
}

// runResetAdmin removes the admin account and its sessions, so the console's
// first-run page asks for a new password. Orders, payments and settings stay.
func runResetAdmin(cfg *config.Config) int {
	ctx := context.Background()
	unlock, err := store.Lock(cfg.Data.Dir)
	if err != nil {
		return fail("paygate reset-admin", cfg.Data.Dir, err)
	}
	defer unlock()
	db, err := store.Open(ctx, cfg.Data.Dir, store.Options{Synchronous: cfg.Data.Synchronous})
	if err != nil {
		return fail("paygate reset-admin", cfg.Data.Dir, err)
	}
	defer db.Close()
	n, err := db.ResetAdmin(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "paygate:", err)
		return 1
	}
	fmt.Printf("removed %d admin account(s) from %s.\nStart paygate and open the admin console to choose a new password.\n", n, db.Path())
	return 0
}

// runBackup writes one backup now, beside the scheduled ones.
func runBackup(cfg *config.Config) int {
	ctx := context.Background()
	db, err := store.Open(ctx, cfg.Data.Dir, store.Options{Synchronous: cfg.Data.Synchronous})
	if err != nil {
		return fail("paygate backup", cfg.Data.Dir, err)
	}
	defer db.Close()
	path, err := backup.Create(ctx, db, backup.Dir(cfg.Data.Dir), time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, "paygate backup:", err)
		return 1
	}
	counts, _ := db.Count(ctx)
	fmt.Printf("backup written: %s (%d orders, %d payments)\n", path, counts.Orders, counts.Payments)
	return 0
}

// runRestore puts a backup back while no paygate runs on the data directory.
func runRestore(cfg *config.Config, file string) int {
	unlock, err := store.Lock(cfg.Data.Dir)
	if err != nil {
		return fail("paygate restore", cfg.Data.Dir, err)
	}
	defer unlock()
	counts, aside, err := backup.Restore(context.Background(), file, cfg.Data.Dir, time.Now())
	if err != nil {
		return fail("paygate restore", cfg.Data.Dir, err)
	}
	fmt.Printf("restored %s into %s (%d orders, %d payments)\n", file, cfg.Data.Dir, counts.Orders, counts.Payments)
	if aside != "" {
		fmt.Printf("the database it replaced is kept as %s\n", aside)
	}
	return 0
}
