package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"paygate/app"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestLabelsStayFew(t *testing.T) {
	m := New("v1", nil)
	m.OrderCreated("")
	m.OrderCreated(app.MethodWechat)
	m.OrderCreated("qqpay")
	m.OrderPaid(app.MethodAlipay, "auto")
	m.OrderPaid(app.MethodAlipay, "admin")
	m.OrderPaid(app.MethodAlipay, "api")
	m.PaymentRecorded("", app.PaymentUnmatched, app.ConfidenceNone)
	m.OrdersExpired(app.MethodWechat, 3)
	m.CallbackAttempted(false, 5*time.Second, true)
	body := scrape(t, m)
	for _, want := range []string{
		`paygate_orders_created_total{method="unset"} 1`,
		`paygate_orders_created_total{method="wechat"} 1`,
		`paygate_orders_created_total{method="other"} 1`,
		`paygate_orders_paid_total{by="auto",method="alipay"} 1`,
		`paygate_orders_paid_total{by="person",method="alipay"} 2`, // never the person's name
		`paygate_payments_total{confidence="none",method="unknown",status="unmatched"} 1`,
		`paygate_orders_expired_total{method="wechat"} 3`,
		`paygate_callback_attempts_total{result="failed"} 1`,
		`paygate_callbacks_given_up_total 1`,
		`paygate_build_info{version="v1"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("exposition lacks %s", want)
		}
	}
	if strings.Contains(body, "admin") {
		t.Error("a person's name became a label")
	}
}

func TestGaugesFromVitals(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	v := app.Vitals{At: now, DBWritable: true, DBBytes: 4096, OrdersPending: 2, CallbacksPending: 3, CallbacksDue: 1,
		OldestDueCallback: now.Add(-90 * time.Second), Devices: 2, DevicesOnline: 1, LastBackup: now.Add(-time.Hour),
		Replication:  &app.ReplicationState{LastSyncAt: now.Add(-time.Second), Error: "s3: access denied"},
		Certificates: []app.CertificateState{{Domain: "pay.example.com", NotAfter: now.Add(60 * 24 * time.Hour)}}}
	body := scrape(t, New("v1", func(context.Context) (app.Vitals, error) { return v, nil }))
	for _, want := range []string{
		"paygate_db_writable 1", "paygate_db_size_bytes 4096", "paygate_orders_pending 2", "paygate_callback_queue_pending 3",
		"paygate_callback_queue_due 1", "paygate_callback_queue_lag_seconds 90", "paygate_devices 2", "paygate_devices_online 1",
		"paygate_last_backup_timestamp_seconds 1.7956836e+09",
		"paygate_replication_ok 0",
		`paygate_tls_certificate_ok{domain="pay.example.com"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("exposition lacks %s", want)
		}
	}
	broken := scrape(t, New("v1", func(context.Context) (app.Vitals, error) { return app.Vitals{}, errors.New("database is locked") }))
	if !strings.Contains(broken, "paygate_orders_created_total") && !strings.Contains(broken, "paygate_build_info") {
		t.Fatalf("a failing vitals read took the counters down:\n%s", broken)
	}
}
