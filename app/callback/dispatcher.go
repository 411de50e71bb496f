package callback

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"paygate/app"
	"paygate/app/epay"
	"paygate/app/netguard"
	"paygate/app/store"
)

// Options configure a Dispatcher.
type Options struct {
	Schedule []time.Duration // delay before each attempt; its length is the number of attempts
	Timeout  time.Duration   // per attempt
	Workers  int             // attempts in flight at once, over all destinations
	// PerHost is how many attempts may be in flight to one destination host
	// that is slow, dead or not known yet, so it holds at most that many
	// workers; a host answering within a second may use half the workers.
	PerHost int
	// Guard checks the addresses per-order URLs (notifyUrl, 易支付
	// notify_url) dial; nil: nothing internal is allowed.
	Guard  *netguard.Policy
	Logger *slog.Logger
	Client *http.Client // for the configured callback URL; nil: a client that follows no redirects
}

// Dispatcher sends queued callbacks until they are acknowledged or out of
// attempts. The queue is in the store, so a restart resumes it.
type Dispatcher struct {
	db       *store.DB
	opts     Options
	client   *http.Client // the owner's configured callback URL: trusted, may point anywhere
	guarded  *http.Client // per-order URLs: internal addresses refused where they are dialled
	log      *slog.Logger
	wake     chan struct{}
	inflight sync.WaitGroup
	loads    *hostLoads
	epayKeys epay.KeyCache // the 易支付 V2 platform key, parsed once
}

// New returns a dispatcher; call Run to start it.
func New(db *store.DB, opts Options) *Dispatcher {
	if opts.Workers < 1 {
		opts.Workers = 4
	}
	if opts.PerHost < 1 {
		opts.PerHost = 2
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if len(opts.Schedule) == 0 {
		opts.Schedule = []time.Duration{0}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Guard == nil {
		opts.Guard, _ = netguard.New(nil) // cannot fail without entries
	}
	client := opts.Client
	if client == nil {
		client = newClient(opts, &http.Transport{Proxy: http.ProxyFromEnvironment})
	}
	// No proxy for per-order URLs: the guard must see the address really dialled.
	guarded := newClient(opts, &http.Transport{
		DialContext: opts.Guard.DialContext(&net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}),
	})
	return &Dispatcher{db: db, opts: opts, client: client, guarded: guarded, log: opts.Logger,
		wake: make(chan struct{}, 1), loads: newHostLoads(opts.Workers, opts.PerHost)}
}

// newClient completes t and wraps it in a client that follows no redirects.
func newClient(opts Options, t *http.Transport) *http.Client {
	t.MaxIdleConnsPerHost = opts.PerHost
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = opts.Timeout
	return &http.Client{
		Timeout: opts.Timeout,
		// A redirect is not an acknowledgement, and following one could send the signed body somewhere unexpected.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     t,
	}
}

// FirstDelay is the wait before a new callback's first attempt.
func (d *Dispatcher) FirstDelay() time.Duration { return d.opts.Schedule[0] }

// Wake makes the dispatcher look at the queue now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// lease is how long a claimed callback stays invisible to other claims; it
// outlasts one attempt, so only a crash mid-attempt makes it due again.
func (d *Dispatcher) lease() time.Duration { return d.opts.Timeout + 30*time.Second }

// Run works the queue until ctx ends, then waits for attempts in flight.
func (d *Dispatcher) Run(ctx context.Context) {
	defer d.inflight.Wait()
	if n, err := d.db.ReleaseCallbackClaims(ctx); err != nil {
		d.log.Error("callback queue: releasing stale claims", "err", err)
	} else if n > 0 {
		d.log.Info("callback queue: resuming attempts interrupted by the last shutdown", "count", n)
	}
	for {
		full, err := d.dispatchDue(ctx)
		if ctx.Err() != nil {
			return
		}
		if full {
			continue // every free worker got one: more may be due
		}
		// Due callbacks left unclaimed wait for a worker or their host to
		// be free: an attempt that ends wakes the loop.
		wait := 30 * time.Second
		if err != nil {
			d.log.Error("callback queue: claim failed", "err", err)
			wait = time.Second
		} else if next, ok, err := d.db.NextCallbackDue(ctx); err == nil && ok {
			wait = min(wait, max(next.Sub(d.db.Now()), 10*time.Millisecond))
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-d.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// dispatchDue claims due callbacks for the free workers, within each
// destination host's share (see hostLoads), and starts an attempt for each;
// full says every free worker got one. Callbacks of a busy host stay due and
// do not hold up those behind them.
func (d *Dispatcher) dispatchDue(ctx context.Context) (full bool, err error) {
	settings, err := d.db.Settings(ctx)
	if err != nil {
		return false, err
	}
	owner := netguard.URLHost(settings.CallbackURL)
	free, room := d.loads.room(time.Now())
	if free <= 0 {
		return false, nil
	}
	due, err := d.db.ClaimDueCallbacks(ctx, free, d.lease(), func(c app.Callback) bool {
		h := destinationHost(c, owner)
		n, known := room[h]
		if !known {
			n = d.opts.PerHost
		}
		room[h] = n - 1
		return n > 0
	})
	if err != nil {
		return false, err
	}
	for _, del := range due {
		host, started := destinationHost(del.Callback, owner), time.Now()
		d.loads.start(host, started)
		d.inflight.Add(1)
		go func() {
			defer func() {
				d.loads.finish(host, started, time.Now())
				d.inflight.Done()
				d.Wake()
			}()
			d.attempt(context.WithoutCancel(ctx), del)
		}()
	}
	return len(due) == free, nil
}

// destinationHost is the host a callback goes to: its order's own URL, else
// the configured callback URL (whose host is owner).
func destinationHost(c app.Callback, owner string) string {
	if c.NotifyURL == "" {
		return owner
	}
	return netguard.URLHost(c.NotifyURL)
}

// attempt sends one callback and records the outcome.
func (d *Dispatcher) attempt(ctx context.Context, del app.CallbackDelivery) {
	settings, err := d.db.Settings(ctx)
	if err != nil {
		d.log.Error("callback: reading settings", "err", err)
		return // the lease makes it due again
	}
	started := d.db.Now()
	a := app.CallbackAttempt{CallbackID: del.Callback.ID, Claim: del.Callback.Claim, StartedAt: started}
	clock := time.Now()
	if del.Callback.Kind == app.CallbackEpay {
		d.sendEpay(netguard.WithOwnerURL(ctx, settings.CallbackURL), &a, del, settings.APIKey, started)
	} else {
		a.URL = del.Order.NotifyURL
		client := d.guarded
		if a.URL == "" {
			a.URL, client = settings.CallbackURL, d.client
		}
		switch {
		case a.URL == "":
			a.Error = "no callback URL: set one in the settings (or pass notifyUrl when creating the order)"
		case settings.APIKey == "":
			a.Error = "no API key to sign with: set one in the settings"
		default:
			ctx := netguard.WithOwnerURL(ctx, settings.CallbackURL)
			d.send(ctx, client, &a, http.MethodPost, NewBody(del, settings.APIKey, started).JSON(), acknowledged)
		}
	}
	a.DurationMS = time.Since(clock).Milliseconds()

	attempts := del.Callback.Attempts + 1
	status, next := app.CallbackPending, d.db.Now()
	switch {
	case a.Acked:
		status = app.CallbackSent
	case attempts >= len(d.opts.Schedule):
		status = app.CallbackFailed
	default:
		next = next.Add(jitter(d.opts.Schedule[attempts]))
	}
	if err := d.db.FinishCallbackAttempt(ctx, a, status, next); err != nil {
		d.log.Error("callback: recording attempt", "order", del.Order.ID, "err", err)
		return
	}
	d.log.Info("callback", "kind", del.Callback.Kind, "order", del.Order.ID, "payment", del.Payment.ID, "attempt", attempts,
		"http", a.HTTPStatus, "ms", a.DurationMS, "status", status, "err", a.Error)
}

// sendEpay sends the 易支付 notify: a GET to the order's notify_url with the
// signed parameters in the query, acknowledged by a body containing success.
// A V1 order's are MD5-signed with the merchant key; a V2 order's are
// RSA-signed with the platform key at now, so every attempt carries a fresh
// timestamp (shops refuse one older than 5 minutes). notify_url is the
// shop's per-order URL, so it goes through the guard.
func (d *Dispatcher) sendEpay(ctx context.Context, a *app.CallbackAttempt, del app.CallbackDelivery, apiKey string, now time.Time) {
	switch {
	case del.Epay == nil:
		a.URL = del.Order.NotifyURL
		a.Error = "the 易支付 request of this order is missing from the database"
	case del.Epay.Protocol == epay.ProtocolV2:
		a.URL = del.Epay.NotifyURL
		key, err := d.platformKey(ctx)
		if err != nil {
			a.Error = "no 易支付 V2 platform key to sign with: " + err.Error()
			return
		}
		a.URL = epay.WithQuery(del.Epay.NotifyURL, epay.NotifyParamsV2(*del.Epay, del.Payment.ID, key, now))
		d.send(ctx, d.guarded, a, http.MethodGet, nil, acknowledgedEpay)
	case apiKey == "":
		a.URL = del.Epay.NotifyURL
		a.Error = "no API key (the 易支付 merchant key) to sign with: set one in the settings"
	default:
		a.URL = epay.WithQuery(del.Epay.NotifyURL, epay.NotifyParams(*del.Epay, apiKey))
		d.send(ctx, d.guarded, a, http.MethodGet, nil, acknowledgedEpay)
	}
}

// platformKey is the 易支付 V2 platform private key in force. It exists: the
// order's create answer was signed with it.
func (d *Dispatcher) platformKey(ctx context.Context) (*rsa.PrivateKey, error) {
	text, err := d.db.EpayPlatformKey(ctx)
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, errors.New("none is stored")
	}
	return d.epayKeys.Private(text)
}

// send makes one request to a.URL with client and judges the answer with ack.
func (d *Dispatcher) send(ctx context.Context, client *http.Client, a *app.CallbackAttempt, method string, body []byte, ack func(int, []byte) (bool, string)) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL, rd)
	if err != nil {
		a.Error = "callback URL is not valid: " + err.Error()
		return
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.Header.Set("User-Agent", "paygate-callback/1")
	resp, err := client.Do(req)
	if err != nil {
		var blocked *netguard.BlockedError
		if errors.As(err, &blocked) {
			a.Error = blocked.Error() // never dialled: there is no answer to show
			return
		}
		if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout") {
			a.Error = fmt.Sprintf("no answer within %s", d.opts.Timeout)
		} else {
			a.Error = err.Error()
		}
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	a.HTTPStatus = resp.StatusCode
	a.BodyExcerpt = app.Clip(strings.ToValidUTF8(string(raw), "�"), 500)
	a.Acked, a.Error = ack(resp.StatusCode, raw)
}

// acknowledgedEpay: HTTP 2xx and a body containing "success" in any case, as
// 彩虹易支付's do_notify decides (clients answer "success", "SUCCESS" or an HTML page saying so).
func acknowledgedEpay(status int, body []byte) (bool, string) {
	if status < 200 || status > 299 {
		return acknowledged(status, body)
	}
	if bytes.Contains(bytes.ToLower(body), []byte("success")) {
		return true, ""
	}
	return false, fmt.Sprintf("HTTP %d but the body does not contain success (the 易支付 acknowledgement)", status)
}

// acknowledged: HTTP 2xx and a body that is {"success": true, …} or the word success.
func acknowledged(status int, body []byte) (bool, string) {
	if status < 200 || status > 299 {
		if status >= 300 && status < 400 {
			return false, fmt.Sprintf("HTTP %d redirect not followed: point the callback URL at the final address", status)
		}
		return false, fmt.Sprintf("HTTP %d: the merchant must answer 2xx", status)
	}
	trimmed := bytes.TrimSpace(body)
	if strings.EqualFold(string(trimmed), "success") {
		return true, ""
	}
	var ack struct {
		Success *bool `json:"success"`
	}
	if json.Unmarshal(trimmed, &ack) == nil && ack.Success != nil && *ack.Success {
		return true, ""
	}
	return false, fmt.Sprintf("HTTP %d but the body is not {\"success\": true} or \"success\"", status)
}

// jitter adds up to 10% so retries from many payments do not arrive together.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}
