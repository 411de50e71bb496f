package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"paygate/app"
	"paygate/app/backup"
	"paygate/app/callback"
	"paygate/app/config"
	"paygate/app/desktop"
	"paygate/app/gateway"
	"paygate/app/netguard"
	"paygate/app/store"
	"paygate/app/web"
)

// serve is `paygate [flags]`: it runs the server until Ctrl+C or SIGTERM.
func (p Program) serve(args []string, stdout, stderr io.Writer) int {
	cfg, logger, code := p.loadConfig(args, stdout, stderr)
	if cfg == nil {
		return code
	}
	if err := p.runServer(cfg, logger, stdout); err != nil {
		logger.Error("paygate stopped", "err", err)
		explain(stderr, cfg.Data.Dir, err)
		return 1
	}
	return 0
}

// runServer wires config → store → gateway → callback dispatcher → web,
// prints the banner to stdout and serves until a signal.
func (p Program) runServer(cfg *config.Config, logger *slog.Logger, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	unlock, err := store.Lock(cfg.Data.Dir)
	if err != nil {
		return err
	}
	defer unlock()

	// The store, with Litestream started before it and stopped after it
	// when a replica is set up (replica_serve.go).
	db, rep, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore(db, rep, logger)
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
		Replication:            rep,
		ReplicaConfig:          cfg.Replica.Settings,
	})
	// The replica's alerts (falling behind, catching up) go nowhere until
	// the alert channel is wired here: rep.SetAlerter(…).
	if err := gw.LoadTuning(ctx); err != nil {
		return fmt.Errorf("loading settings: %w", err)
	}
	// Notifications stored but never applied (the process died in between)
	// are applied before serving; the sweeper tries again whatever is left.
	if err := gw.ApplyPending(ctx, db.Now()); err != nil {
		logger.Error("applying stored notifications", "err", err)
	}
	handler := web.New(gw, web.Options{MaxBodySize: cfg.Server.MaxBodySize, Version: p.Version, Logger: logger,
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
	logger.Info("paygate started", "version", p.Version, "url", url, "data", cfg.Data.Dir, "config", cfg.File)
	banner := desktop.Banner{Version: p.Version, URL: url, Config: cfg.File, Data: cfg.Data.Dir}
	if _, asked, err := net.SplitHostPort(cfg.Server.Addr); err == nil && !cfg.Server.AddrExplicit && ln.Addr().(*net.TCPAddr).Port != atoi(asked) {
		banner.Moved = asked
	}
	if token, need, err := gw.SetupToken(ctx); err == nil && need {
		logger.Warn("no admin account yet: open the admin console to create it; from another computer the first-run page asks for this setup token",
			"url", url+"/admin/setup", "setup_token", token)
		banner.SetupToken = token
	}
	banner.Print(stdout)
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
