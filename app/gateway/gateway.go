// Package gateway is paygate's core: its use cases, the things a merchant's
// server, a forwarder, a payer or the shop owner asks for. Each validates the
// request, applies the domain's rules (package app) and drives the store, the
// parser and the callback queue. It answers in
// domain types (app) and in the read models of the pages (console).
//
// It depends only inward: on the domain (app, money), the read models, the
// pure protocol helpers (forward, parse, epay, sign, qr, netguard) and the
// store it drives. It knows nothing of HTTP or HTML: web calls it and main
// builds it.
package gateway

import (
	"context"
	"crypto/rand"
	"log/slog"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/epay"
	"paygate/app/forward"
	"paygate/app/lan"
	"paygate/app/netguard"
	"paygate/app/store"
)

// Options configure a gateway.
type Options struct {
	Defaults           app.Tuning    // from config.yaml; LoadTuning applies stored changes over them
	DeviceOfflineAfter time.Duration // a forwarder unheard for this long is offline
	// LinkRateLimit is how many orders one client IP may create through
	// payment links per minute (a burst of as many); 0 = no limit.
	LinkRateLimit int
	// LinkLimits bound the open payment-link orders of one network and of
	// one link; zero values: no limit.
	LinkLimits app.LinkLimits
	// CallbackGuard refuses per-order callback URLs that point inside at
	// order creation; nil: nothing internal is allowed.
	CallbackGuard *netguard.Policy
	// ForwarderSignWindow is how far a signed forwarder timestamp
	// (SmsForwarder's timestamp, V免签's t) may be from the time its request
	// arrived; forward.DefaultSignWindow (15 minutes) when zero.
	ForwarderSignWindow time.Duration
	// NotificationRetention is how long stored forwarder requests that made
	// no payment are kept; 0 keeps them forever.
	NotificationRetention time.Duration
	// ReopenWithin is how long after its expiry an unpaid order sent again
	// with its number (易支付 out_trade_no, API merchantOrderId) is reopened
	// with a fresh slot and lifetime; 0 = never (epay.reopen_within).
	ReopenWithin time.Duration
	Logger       *slog.Logger

	// Pinned are the rules and switches set explicitly in config.yaml or the
	// environment, by config key (order.lifetime, forwarder.accept_api_key …):
	// they win over values saved in the console.
	Pinned map[string]app.Source
	// RefuseAPIKeyFromPhones is forwarder.accept_api_key false: the merchant
	// API key is not a phone key unless the console turns it on.
	RefuseAPIKeyFromPhones bool

	// Replication is the off-machine copy of the database; nil: none.
	Replication Replication
	// ReplicaConfig are the replica settings from config.yaml and the
	// environment; those in Pinned win over the console's.
	ReplicaConfig app.ReplicaSettings
	// Watch reports on backups, replication and certificates (vitals.go).
	Watch Watchers

	// Connected: the public address from config (in force when Pinned has
	// server.public_url), the LAN address finder (lan.Addresses when nil)
	// and the alerts.
	PublicURL    string
	LANAddresses func() []netip.Addr
	Alerts       AlertQueue    // nil: incidents are recorded, nothing is sent
	AlertSettle  time.Duration // a recovery goes out once it has lasted this long
	AlertPerHour int           // per channel, for the console to say
	OrderSilence time.Duration // pending orders unheard this long: alert; 0 = off
	DiskMinFree  int64         // bytes; 0 = no disk alert
	DataDir      string        // whose disk is watched
}

// Notifier is the callback queue's doorbell.
type Notifier interface {
	Wake()
	FirstDelay() time.Duration
}

// CallbackTester is a Notifier that can also send one signed sample
// callback now and report the answer (the settings page's test button).
type CallbackTester interface {
	SendTest(ctx context.Context, url, apiKey string) app.CallbackAttempt
}

// Gateway is the core service.
type Gateway struct {
	db       *store.DB
	notifier Notifier
	guard    *netguard.Policy
	log      *slog.Logger

	offlineAfter time.Duration
	signWindow   time.Duration
	retention    time.Duration // stored requests that made no payment; 0 = forever
	reopenWithin time.Duration // how long an expired order sent again is reopened; 0 = never
	setup        setup
	throttle     *loginThrottle
	secret       signingSecret
	links        *linkGuard
	linkLimits   app.LinkLimits
	watch        Watchers

	defaults   app.Tuning
	pinned     map[string]app.Source
	tuning     atomic.Pointer[console.TuningState]
	tuningMu   sync.Mutex // one console change of the rules or switches at a time
	apiKeyFwd  atomic.Pointer[console.APIKeyForwarding]
	apiKeyDflt bool          // forwarder.accept_api_key from config
	epayKeys   epay.KeyCache // the 易支付 V2 platform key, parsed once

	replication   Replication
	replicaConfig app.ReplicaSettings

	configPublicURL string
	public          atomic.Pointer[console.PublicAddress]
	listen          atomic.Pointer[listenState]
	lan             *lanCache
	alerts          AlertQueue
	alertSettle     time.Duration
	alertMaxPerHour int
	orderSilence    time.Duration
	diskMinFree     int64
	dataDir         string
}

// New returns a gateway.
func New(db *store.DB, notifier Notifier, opts Options) *Gateway {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.DeviceOfflineAfter <= 0 {
		opts.DeviceOfflineAfter = 10 * time.Minute
	}
	if opts.CallbackGuard == nil {
		opts.CallbackGuard, _ = netguard.New(nil) // cannot fail without entries
	}
	if opts.ForwarderSignWindow <= 0 {
		opts.ForwarderSignWindow = forward.DefaultSignWindow
	}
	g := &Gateway{db: db, notifier: notifier, guard: opts.CallbackGuard, log: opts.Logger, offlineAfter: opts.DeviceOfflineAfter,
		signWindow: opts.ForwarderSignWindow, retention: opts.NotificationRetention, throttle: newLoginThrottle(),
		links: newLinkGuard(opts.LinkRateLimit), linkLimits: opts.LinkLimits, reopenWithin: opts.ReopenWithin, watch: opts.Watch}
	g.defaults, g.pinned, g.apiKeyDflt = opts.Defaults, opts.Pinned, !opts.RefuseAPIKeyFromPhones
	g.replication, g.replicaConfig = opts.Replication, opts.ReplicaConfig
	st := g.resolveTuning(nil)
	g.tuning.Store(&st)
	g.apiKeyFwd.Store(&console.APIKeyForwarding{On: g.apiKeyDflt, Source: g.pinned[configAcceptAPIKey]})
	if opts.LANAddresses == nil {
		opts.LANAddresses = lan.Addresses
	}
	g.configPublicURL, g.lan = strings.TrimRight(opts.PublicURL, "/"), &lanCache{detect: opts.LANAddresses}
	g.public.Store(g.resolvePublic(""))
	g.alerts, g.alertSettle, g.alertMaxPerHour = opts.Alerts, opts.AlertSettle, opts.AlertPerHour
	g.orderSilence, g.diskMinFree, g.dataDir = opts.OrderSilence, opts.DiskMinFree, opts.DataDir
	return g
}

// Now is the gateway's clock (the store's).
func (g *Gateway) Now() time.Time { return g.db.Now() }

// RunSweeper marks orders expired when their time is up, applies stored
// notifications left unapplied and prunes those past the retention, every
// interval, until ctx ends.
// Slots are also freed on demand by CreateOrder; this keeps statuses right
// for people reading lists.
func (g *Gateway) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := g.db.ExpireOrders(ctx); err != nil && ctx.Err() == nil {
			g.log.Error("expiring orders", "err", err)
		} else if n > 0 {
			g.log.Info("orders expired", "count", n)
		}
		// Rows younger than this may still be on their way through a live request.
		if err := g.ApplyPending(ctx, g.db.Now().Add(-pendingAge)); err != nil && ctx.Err() == nil {
			g.log.Error("applying stored notifications", "err", err)
		}
		if n, err := g.pruneNotifications(ctx); err != nil && ctx.Err() == nil {
			g.log.Error("pruning stored notifications", "err", err)
		} else if n > 0 {
			g.log.Info("old stored notifications pruned", "count", n, "retention", g.retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// newID is prefix + unix milliseconds + 13 random digits (about 43 bits),
// 29 characters until the year 2286, as the merchant guide's examples
// (ORD1757825452250764…). The random part keeps ids from being guessed; the
// time in front makes each new id sort after the ones before it, so a new
// order's entry goes into the last page of the id index instead of a
// random one — a random page of that index per order was a third of the
// writer's disk writes (issue #18).
func newID(prefix string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(1e13))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	s := n.String()
	for len(s) < 13 {
		s = "0" + s
	}
	return prefix + strconv.FormatInt(time.Now().UnixMilli(), 10) + s
}

func newOrderID() string   { return newID("ORD") }
func newPaymentID() string { return newID("PAY") }
