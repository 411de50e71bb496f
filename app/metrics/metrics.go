// Package metrics is paygate's /metrics in the Prometheus text format:
// counters of what committed writes did (it is the store's Observer), and
// gauges read at each scrape from the gateway's Vitals. Everything already on
// Prometheus's default registry is served too: the Go runtime, the process,
// and the litestream_* series once database replication runs in-process.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"paygate/app"
)

// VitalsFunc reads the gauges' values at scrape time (gateway.Vitals).
type VitalsFunc func(ctx context.Context) (app.Vitals, error)

// Metrics holds paygate's own series on a registry of its own.
type Metrics struct {
	reg *prometheus.Registry

	ordersCreated   *prometheus.CounterVec
	ordersPaid      *prometheus.CounterVec
	ordersExpired   *prometheus.CounterVec
	payments        *prometheus.CounterVec
	notifications   *prometheus.CounterVec
	callbackTries   *prometheus.CounterVec
	callbackSeconds prometheus.Histogram
	callbacksFailed prometheus.Counter
	batchJobs       prometheus.Histogram
	commitSeconds   prometheus.Histogram
}

// New registers paygate's series; vitals feeds the gauges at each scrape
// (nil: no gauges, for tests of the counters).
func New(version string, vitals VitalsFunc) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "paygate", Name: name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	histogram := func(name, help string, buckets []float64) prometheus.Histogram {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "paygate", Name: name, Help: help, Buckets: buckets})
		m.reg.MustRegister(h)
		return h
	}
	m.ordersCreated = counter("orders_created_total", "Orders created, by payment method (unset: the payer chooses on the checkout page).", "method")
	m.ordersPaid = counter("orders_paid_total", "Orders paid, by method and by whom: auto (matched by paygate) or person (confirmed in the console or API).", "method", "by")
	m.ordersExpired = counter("orders_expired_total", "Orders whose time ran out unpaid, by method.", "method")
	m.payments = counter("payments_total", "Payments recorded from forwarder notifications, by method, status (success: paid an order; unmatched: waits for a person) and match confidence (high, medium, low, none).", "method", "status", "confidence")
	m.notifications = counter("notifications_total", "Forwarder requests (webhook, SmsForwarder, V免签) by the outcome recorded: payment, ignored, duplicate, refused, invalid, error.", "outcome")
	m.callbackTries = counter("callback_attempts_total", "Callback attempts to merchants, by result: acked or failed (not acknowledged; retried on the schedule).", "result")
	m.callbackSeconds = histogram("callback_attempt_duration_seconds", "How long each callback attempt took.", []float64{.05, .1, .25, .5, 1, 2.5, 5, 10})
	m.callbacksFailed = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "paygate", Name: "callbacks_given_up_total", Help: "Callbacks given up after the last attempt of the retry schedule."})
	m.reg.MustRegister(m.callbacksFailed)
	m.batchJobs = histogram("store_write_batch_jobs", "Write transactions that shared one commit (group commit).", []float64{1, 2, 4, 8, 16, 32, 64, 128})
	m.commitSeconds = histogram("store_commit_duration_seconds", "How long each commit (with its fsync) took.", []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1})
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "paygate", Name: "build_info",
		Help: "Always 1; the version label is the running paygate's.", ConstLabels: prometheus.Labels{"version": version}},
		func() float64 { return 1 }))
	if vitals != nil {
		m.reg.MustRegister(vitalsCollector{read: vitals})
	}
	return m
}

// Handler serves the exposition: paygate's series and the default registry's.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(prometheus.Gatherers{m.reg, prometheus.DefaultGatherer},
		promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// OrderCreated implements store.Observer.
func (m *Metrics) OrderCreated(method app.Method) {
	m.ordersCreated.WithLabelValues(methodLabel(method, "unset")).Inc()
}

// OrdersExpired implements store.Observer.
func (m *Metrics) OrdersExpired(method app.Method, n int) {
	m.ordersExpired.WithLabelValues(methodLabel(method, "unset")).Add(float64(n))
}

// OrderPaid implements store.Observer.
func (m *Metrics) OrderPaid(method app.Method, by string) {
	who := "person" // never the person's name: labels must stay few
	if by == "auto" {
		who = "auto"
	}
	m.ordersPaid.WithLabelValues(methodLabel(method, "unset"), who).Inc()
}

// PaymentRecorded implements store.Observer.
func (m *Metrics) PaymentRecorded(method app.Method, status app.PaymentStatus, confidence app.Confidence) {
	conf := string(confidence)
	if conf == "" {
		conf = "none"
	}
	m.payments.WithLabelValues(methodLabel(method, "unknown"), string(status), conf).Inc()
}

// NotificationDecided implements store.Observer.
func (m *Metrics) NotificationDecided(outcome app.NotificationOutcome) {
	m.notifications.WithLabelValues(string(outcome)).Inc()
}

// CallbackAttempted implements store.Observer.
func (m *Metrics) CallbackAttempted(acked bool, took time.Duration, gaveUp bool) {
	result := "failed"
	if acked {
		result = "acked"
	}
	m.callbackTries.WithLabelValues(result).Inc()
	m.callbackSeconds.Observe(took.Seconds())
	if gaveUp {
		m.callbacksFailed.Inc()
	}
}

// WriteBatch implements store.Observer.
func (m *Metrics) WriteBatch(jobs int, commit time.Duration) {
	m.batchJobs.Observe(float64(jobs))
	m.commitSeconds.Observe(commit.Seconds())
}

// methodLabel keeps the method label to the known methods.
func methodLabel(m app.Method, empty string) string {
	switch {
	case m == "":
		return empty
	case m.Valid():
		return string(m)
	}
	return "other"
}
