package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// vitalsCollector turns the gateway's Vitals into gauges at each scrape, so
// they are as fresh as the scrape and cost nothing between scrapes.
type vitalsCollector struct{ read VitalsFunc }

func gauge(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("paygate_"+name, help, labels, nil)
}

var (
	descDBWritable   = gauge("db_writable", "1 when a write went through the writer queue and the data directory took a file, else 0.")
	descWriteProbe   = gauge("db_write_probe_seconds", "Round trip of that probe write through the writer queue.")
	descDBBytes      = gauge("db_size_bytes", "Size of paygate.db and its write-ahead log.")
	descPending      = gauge("orders_pending", "Orders waiting to be paid.")
	descCbPending    = gauge("callback_queue_pending", "Callbacks queued: not yet acknowledged nor given up.")
	descCbDue        = gauge("callback_queue_due", "Queued callbacks due now (waiting for a worker or a busy merchant host).")
	descCbLag        = gauge("callback_queue_lag_seconds", "How long the oldest due callback has been due (0 when none is).")
	descUnapplied    = gauge("notifications_unapplied", "Stored forwarder requests not applied yet.")
	descUnappliedLag = gauge("notifications_lag_seconds", "Age of the oldest stored forwarder request not applied yet (0 when none).")
	descDevices      = gauge("devices", "Forwarder devices (phones) known.")
	descOnline       = gauge("devices_online", "Forwarder devices heard from within device.offline_after.")
	descLastBackup   = gauge("last_backup_timestamp_seconds", "When the newest backup in data/backups was written (absent when there is none).")
	descReplSync     = gauge("replication_last_sync_timestamp_seconds", "When database replication last caught up (absent when it is not set up; 0 before its first sync).")
	descReplOK       = gauge("replication_ok", "1 when the last replication sync worked (absent when replication is not set up).")
	descCertExpiry   = gauge("tls_certificate_expiry_timestamp_seconds", "When the automatic HTTPS certificate for domain expires (0 while none has been obtained).", "domain")
	descCertOK       = gauge("tls_certificate_ok", "1 when the last try to obtain or renew the certificate for domain worked.", "domain")
)

// Describe implements prometheus.Collector.
func (vitalsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDBWritable, descWriteProbe, descDBBytes, descPending, descCbPending, descCbDue, descCbLag,
		descUnapplied, descUnappliedLag, descDevices, descOnline, descLastBackup, descReplSync, descReplOK, descCertExpiry, descCertOK} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c vitalsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descDBWritable, err)
		return
	}
	put := func(d *prometheus.Desc, value float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, value, labels...)
	}
	put(descDBWritable, boolValue(v.DBWritable))
	put(descWriteProbe, v.WriteProbe.Seconds())
	put(descDBBytes, float64(v.DBBytes))
	put(descPending, float64(v.OrdersPending))
	put(descCbPending, float64(v.CallbacksPending))
	put(descCbDue, float64(v.CallbacksDue))
	put(descCbLag, age(v.At, v.OldestDueCallback))
	put(descUnapplied, float64(v.NotificationsUnapplied))
	put(descUnappliedLag, age(v.At, v.OldestUnapplied))
	put(descDevices, float64(v.Devices))
	put(descOnline, float64(v.DevicesOnline))
	if !v.LastBackup.IsZero() {
		put(descLastBackup, unix(v.LastBackup))
	}
	if r := v.Replication; r != nil {
		put(descReplSync, unix(r.LastSyncAt))
		put(descReplOK, boolValue(r.Error == ""))
	}
	for _, cert := range v.Certificates {
		put(descCertExpiry, unix(cert.NotAfter), cert.Domain)
		put(descCertOK, boolValue(cert.Error == nil), cert.Domain)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// age is how long before now t was, 0 for a zero t.
func age(now, t time.Time) float64 {
	if t.IsZero() || t.After(now) {
		return 0
	}
	return now.Sub(t).Seconds()
}

// unix is t in Unix seconds, 0 for a zero t.
func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli()) / 1000
}
