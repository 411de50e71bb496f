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
	"paygate/app/alert"
	"paygate/app/backup"
	"paygate/app/callback"
	"paygate/app/config"
	"paygate/app/desktop"
	"paygate/app/gateway"
	"paygate/app/metrics"
	"paygate/app/netguard"
	"paygate/app/store"
	"paygate/app/web"
)

// serve is `paygate [flags]`: it runs the server until Ctrl+C or SIGTERM.
func (p Program) serve(args []string, stdout, stderr io.Writer) int {
	cfg, code := p.readConfig(args, stdout, stderr)
	if cfg == nil {
		return code
	}
	log, err := openLog(cfg, false, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "paygate:", err)
		return 1
	}
	defer log.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := p.runServer(ctx, cfg, log.Logger, stdout, false); err != nil {
		log.Error("paygate stopped", "err", err)
		explain(stderr, cfg.Data.Dir, err)
		return 1
	}
	return 0
}

// runServer wires config → store → gateway → callback dispatcher → web,
// prints the banner to stdout and serves until ctx ends (a signal, or the
// service manager stopping the service).
func (p Program) runServer(ctx context.Context, cfg *config.Config, logger *slog.Logger, stdout io.Writer, asService bool) error {
	ctx, stop := context.WithCancel(ctx)
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

	auto, err := newAutoTLS(cfg, logger)
	if err != nil {
		return err
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
	var gw *gateway.Gateway
	var consoleURL string // the address paygate listens at, once it does
	alerts := alert.New(db, alert.Options{
		Endpoints:  alert.Endpoints{Bark: cfg.Alerts.BarkURL, ServerChan: cfg.Alerts.ServerChanURL, Telegram: cfg.Alerts.TelegramURL},
		MaxPerHour: cfg.Alerts.MaxPerHour,
		Logger:     logger,
		// Messages end with the shop's name and a console address the owner's phone can open.
		Context: func(ctx context.Context) alert.Context {
			c := alert.Context{ConsoleURL: gw.Reach(consoleURL).Base + "/admin/"}
			if s, err := db.Settings(ctx); err == nil {
				c.Shop = s.Name
			}
			return c
		},
	})
	gw = gateway.New(db, dispatcher, gateway.Options{
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
		ReopenWithin:           cfg.Epay.ReopenWithin,
		DeviceOfflineAfter:     cfg.Device.OfflineAfter,
		LinkRateLimit:          cfg.Links.RateLimit,
		LinkLimits:             app.LinkLimits{PerNetwork: cfg.Links.MaxPendingPerIP, PerLink: cfg.Links.MaxPendingPerLink},
		CallbackGuard:          guard,
		Logger:                 logger,
		PublicURL:              cfg.Server.PublicURL,
		Alerts:                 alerts,
		AlertSettle:            cfg.Alerts.Settle,
		AlertPerHour:           cfg.Alerts.MaxPerHour,
		OrderSilence:           cfg.Alerts.OrderSilence,
		DiskMinFree:            cfg.Alerts.DiskMinFree,
		DataDir:                cfg.Data.Dir,
		Watch: gateway.Watchers{Certificates: certificateStates(auto),
			LastBackup: func() time.Time { return backup.Newest(backup.Dir(cfg.Data.Dir)) }},
		// Replication: issue #17 reports the replica's state here (gateway.Watchers.Replication).
	})
	meter := metrics.New(p.Version, gw.Vitals)
	db.SetObserver(meter)
	if err := gw.LoadTuning(ctx); err != nil {
		return fmt.Errorf("loading settings: %w", err)
	}
	// Notifications stored but never applied (the process died in between)
	// are applied before serving; the sweeper tries again whatever is left.
	if err := gw.ApplyPending(ctx, db.Now()); err != nil {
		logger.Error("applying stored notifications", "err", err)
	}
	handler := web.New(gw, web.Options{MaxBodySize: cfg.Server.MaxBodySize, Version: p.Version, Logger: logger,
		TrustedProxies: cfg.Server.TrustedProxies, RateLimit: cfg.Server.RateLimit,
		Metrics: meter.Handler(), MetricsToken: cfg.Metrics.Token, MetricsAllow: cfg.Metrics.Allow})

	ln, err := listenMain(cfg, desktop.Listen)
	if err != nil {
		return err
	}
	plain, plainPort, err := plainHTTPSide(cfg, auto, handler, logger)
	if err != nil {
		ln.Close()
		return err
	}
	guard.SetOwnPort(ln.Addr().(*net.TCPAddr).Port)
	gw.SetListenAddr(ln.Addr())
	scheme := "http"
	if auto != nil || cfg.Server.TLSCert != "" {
		scheme = "https"
	}
	url := scheme + "://" + displayAddr(ln.Addr())
	if auto != nil {
		url = cfg.Server.PublicURL
	}
	consoleURL = url
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	done, alertsDone := make(chan struct{}), make(chan struct{})
	go func() { dispatcher.Run(ctx); close(done) }()
	go func() { alerts.Run(ctx); close(alertsDone) }()
	go gw.RunSweeper(ctx, 5*time.Second)
	go gw.RunMonitor(ctx, 2*time.Second)
	go backup.Run(ctx, db, backup.Dir(cfg.Data.Dir), cfg.Backup.Interval, cfg.Backup.Keep, logger,
		func(err error) { gw.BackupDone(ctx, err) })

	serveErr := make(chan error, 1)
	switch {
	case auto != nil:
		srv.TLSConfig = auto.TLSConfig()
		go func() { serveErr <- srv.ServeTLS(ln, "", "") }()
		go auto.Obtain(ctx, plainPort)
	case cfg.Server.TLSCert != "":
		go func() { serveErr <- srv.ServeTLS(ln, cfg.Server.TLSCert, cfg.Server.TLSKey) }()
	default:
		go func() { serveErr <- srv.Serve(ln) }()
	}
	logger.Info("paygate started", "version", p.Version, "url", url, "data", cfg.Data.Dir, "config", cfg.File)
	banner := desktop.Banner{Version: p.Version, URL: url, Config: cfg.File, Data: cfg.Data.Dir, Log: cfg.LogFile(asService),
		LAN: gw.LANBases(scheme), LocalOnly: gw.ListensLocalOnly(), Public: gw.PublicAddress().URL}
	if !asService {
		banner.StartAtBoot = startAtBootCommand(cfg)
	}
	if _, asked, err := net.SplitHostPort(cfg.Server.Addr); err == nil && !cfg.Server.AddrExplicit && ln.Addr().(*net.TCPAddr).Port != atoi(asked) {
		banner.Moved = asked
	}
	if token, need, err := gw.SetupToken(ctx); err == nil && need {
		// The token itself is in the banner only: never in a log file.
		logger.Warn("no admin account yet: open the admin console to create it; from another computer the first-run page asks for the one-time setup token printed in the start banner",
			"url", url+"/admin/setup")
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
	if plain != nil {
		_ = plain.Shutdown(shutdownCtx)
	}
	stop()
	<-done
	<-alertsDone
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
