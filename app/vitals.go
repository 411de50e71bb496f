package app

import "time"

// Vitals is the owner's view of how paygate is doing: the detailed /health
// answer and the gauges of /metrics. The public /health says only "ok".
type Vitals struct {
	At time.Time

	// DBWritable: a write went through the writer queue and a file could be
	// written in the data directory; DBProblem says what failed when not.
	DBWritable bool
	DBProblem  string
	WriteProbe time.Duration // that write's round trip through the writer queue
	DBBytes    int64         // the database file and its write-ahead log

	OrdersPending int

	CallbacksPending  int       // queued, not yet acknowledged nor given up
	CallbacksDue      int       // of those, due now (waiting for a worker or a busy host)
	OldestDueCallback time.Time // zero when none is due

	NotificationsUnapplied int // stored forwarder requests not applied yet
	OldestUnapplied        time.Time

	Devices       int
	DevicesOnline int

	LastBackup   time.Time          // newest backup in data/backups; zero when none
	Replication  *ReplicationState  // nil when replication is not set up
	Certificates []CertificateState // automatic HTTPS (server.domain); nil when off
}

// ReplicationState is what continuous replication of the database reports
// (issue #17): where to, when it last caught up, and its last error.
type ReplicationState struct {
	Target     string    // where the replica goes, without credentials
	LastSyncAt time.Time // the last successful sync; zero = never yet
	Error      string    // the last sync's error; "" when it worked
}

// CertificateState is one automatically obtained HTTPS certificate.
type CertificateState struct {
	Domain   string
	NotAfter time.Time // zero while none has been obtained
	Error    *Problem  // why the last try to obtain or renew it failed; nil when it worked
}

// VitalsLagLimit is how long a stored forwarder request may wait to be
// applied before the detailed health calls it a problem.
const VitalsLagLimit = time.Minute

// Problems lists what needs the owner, in Chinese and English.
func (v Vitals) Problems() []Problem {
	var out []Problem
	if !v.DBWritable {
		out = append(out, Problem{"数据库无法写入：" + v.DBProblem, "The database cannot be written: " + v.DBProblem})
	}
	if !v.OldestUnapplied.IsZero() && v.At.Sub(v.OldestUnapplied) > VitalsLagLimit {
		out = append(out, Problem{"有收款通知超过 1 分钟仍未处理，请查看日志。", "Forwarder requests have waited over a minute to be applied; see the log."})
	}
	for _, c := range v.Certificates {
		switch {
		case c.Error != nil:
			out = append(out, *c.Error)
		case c.NotAfter.IsZero():
		case c.NotAfter.Sub(v.At) < 7*24*time.Hour:
			out = append(out, Problem{"证书 " + c.Domain + " 7 天内到期且尚未续期。", "Certificate " + c.Domain + " expires within 7 days and has not been renewed."})
		}
	}
	if r := v.Replication; r != nil && r.Error != "" {
		out = append(out, Problem{"数据库复制出错：" + r.Error, "Database replication failed: " + r.Error})
	}
	return out
}

// Problem is one thing that needs the owner.
type Problem struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}
