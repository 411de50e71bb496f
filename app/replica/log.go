package replica

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// errorLog is the slog handler Litestream logs through: it passes warnings
// and errors on to paygate's log and keeps the last error, which Litestream
// reports nowhere else, for the console.
type errorLog struct {
	next  slog.Handler
	last  *lastError
	attrs []slog.Attr
}

type lastError struct {
	mu  sync.Mutex
	msg string
	at  time.Time
}

func newErrorLog(next slog.Handler) *errorLog {
	return &errorLog{next: next, last: &lastError{}}
}

func (h *errorLog) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.next.Enabled(ctx, l)
}

func (h *errorLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		msg := r.Message
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" || a.Key == "err" {
				msg += ": " + a.Value.String()
			}
			return true
		})
		h.last.set(msg, r.Time)
	}
	return h.next.Handle(ctx, r)
}

func (h *errorLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &errorLog{next: h.next.WithAttrs(attrs), last: h.last, attrs: append(h.attrs[:len(h.attrs):len(h.attrs)], attrs...)}
}

func (h *errorLog) WithGroup(name string) slog.Handler {
	return &errorLog{next: h.next.WithGroup(name), last: h.last, attrs: h.attrs}
}

// record keeps err as the last error (for errors paygate's own code meets).
func (h *errorLog) record(err error) {
	h.last.set(err.Error(), time.Now())
}

func (l *lastError) set(msg string, at time.Time) {
	if at.IsZero() {
		at = time.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msg, l.at = strings.TrimSpace(msg), at
}

func (l *lastError) get() (string, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.msg, l.at
}
