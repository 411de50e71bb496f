package alert

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"paygate/app"
	"paygate/app/store"
)

// DefaultSchedule is the delay before each retry of a message that could
// not be delivered; after the last, it is given up (failed).
var DefaultSchedule = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour}

// Options configure a Dispatcher.
type Options struct {
	Endpoints Endpoints
	// MaxPerHour bounds the messages one channel sends in an hour; the
	// rest wait for the hour to pass. 0: no limit.
	MaxPerHour int
	Timeout    time.Duration   // per message
	Schedule   []time.Duration // retry delays; DefaultSchedule when empty
	// Context says whose paygate the messages come from and where its
	// console is; nil: messages end with "— paygate" only.
	Context func(context.Context) Context
	Client  *http.Client // for tests; nil: a client that follows no redirects
	Logger  *slog.Logger
}

// Dispatcher sends the queued alert messages.
type Dispatcher struct {
	db     *store.DB
	opts   Options
	sender *Sender
	log    *slog.Logger
	wake   chan struct{}
}

// New returns a dispatcher; call Run to start it.
func New(db *store.DB, opts Options) *Dispatcher {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if len(opts.Schedule) == 0 {
		opts.Schedule = DefaultSchedule
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	return &Dispatcher{db: db, opts: opts, sender: NewSender(opts.Endpoints, opts.Client, opts.Timeout), log: opts.Logger,
		wake: make(chan struct{}, 1)}
}

// Wake makes the dispatcher look at the queue now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) context(ctx context.Context) Context {
	if d.opts.Context == nil {
		return Context{}
	}
	return d.opts.Context(ctx)
}

// SendTest sends the test message to ch now and says what happened; nothing
// is queued or retried.
func (d *Dispatcher) SendTest(ctx context.Context, ch app.AlertChannel) error {
	return d.sender.Send(ctx, ch, Test(d.context(ctx)))
}

// lease outlasts one send, so only a crash mid-send makes a message due again.
func (d *Dispatcher) lease() time.Duration { return d.opts.Timeout + 30*time.Second }

// Run works the queue until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	if err := d.db.ReleaseAlertClaims(ctx); err != nil && ctx.Err() == nil {
		d.log.Error("alert queue: releasing stale claims", "err", err)
	}
	for {
		n, err := d.round(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.log.Error("alert queue", "err", err)
		}
		if n > 0 && err == nil {
			continue // more may be due
		}
		wait := 30 * time.Second
		if next, ok, err := d.db.NextAlertDue(ctx); err == nil && ok {
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

// round claims the due messages and handles them: one channel's messages
// in order (its hourly limit counts them), different channels at once.
func (d *Dispatcher) round(ctx context.Context) (int, error) {
	due, err := d.db.ClaimDueAlerts(ctx, 32, d.lease())
	if err != nil || len(due) == 0 {
		return 0, err
	}
	quiet, err := d.db.QuietHours(ctx)
	if err != nil {
		return 0, err
	}
	info := d.context(ctx)
	byChannel := map[int64][]app.AlertDelivery{}
	for _, del := range due {
		byChannel[del.Channel.ID] = append(byChannel[del.Channel.ID], del)
	}
	var wg sync.WaitGroup
	for _, list := range byChannel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, del := range list {
				d.handle(context.WithoutCancel(ctx), del, quiet, info)
			}
		}()
	}
	wg.Wait()
	return len(due), nil
}

// handle sends one claimed message, or puts it back for later.
func (d *Dispatcher) handle(ctx context.Context, del app.AlertDelivery, quiet app.QuietHours, info Context) {
	m := del.Message
	now := d.db.Now()
	if !del.Channel.Enabled {
		d.record(d.db.DropAlert(ctx, m.ID, "channel switched off"), m)
		return
	}
	if until := quiet.Until(now); until.After(now) {
		d.record(d.db.PostponeAlert(ctx, m.ID, until), m)
		return
	}
	if d.opts.MaxPerHour > 0 {
		n, first, err := d.db.AlertsSentSince(ctx, del.Channel.ID, now.Add(-time.Hour))
		if err != nil {
			d.record(err, m)
			return
		}
		if n >= d.opts.MaxPerHour {
			d.record(d.db.PostponeAlert(ctx, m.ID, first.Add(time.Hour)), m)
			return
		}
	}
	err := d.sender.Send(ctx, del.Channel, Render(m.Event, m.Incident, info))
	status, next, errText := app.AlertSent, d.db.Now(), ""
	if err != nil {
		errText = err.Error()
		if m.Attempts >= len(d.opts.Schedule) {
			status = app.AlertFailed
		} else {
			status = app.AlertPending
			next = next.Add(jitter(d.opts.Schedule[m.Attempts]))
		}
	}
	d.record(d.db.FinishAlertAttempt(ctx, m.ID, status, errText, next), m)
	d.log.Info("alert", "channel", del.Channel.Name, "kind", m.Incident.Kind, "key", m.Incident.Key, "event", m.Event,
		"attempt", m.Attempts+1, "status", status, "err", errText)
}

func (d *Dispatcher) record(err error, m app.AlertMessage) {
	if err != nil {
		d.log.Error("alert queue: recording a message", "message", m.ID, "err", err)
	}
}

// jitter adds up to 10% so retries to one service spread out.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}
