package console

import (
	"time"

	"paygate/app"
)

// ReplicaState is how the off-machine replication (Litestream) is doing, for
// the settings page and the detailed health check.
type ReplicaState struct {
	On      bool   // a replica is set up for this run
	Running bool   // Litestream is copying to it
	Target  string // where to, without secrets (app.ReplicaSettings.Display)
	// Refused: the replica holds newer data than this database (another
	// paygate took over, or this data directory is an old copy), so this
	// paygate does not write to it.
	Refused bool
	// LastSyncAt is the last time the replica confirmed it had everything
	// committed then; zero before the first.
	LastSyncAt time.Time
	// Lag is how long committed changes have been waiting for the replica;
	// 0 when it has everything.
	Lag time.Duration
	// LocalTXID and ReplicaTXID are Litestream's positions (one per shipped
	// batch of transactions) here and in the replica.
	LocalTXID, ReplicaTXID uint64
	Error                  string    // the last replication error, if the replica is behind
	ErrorAt                time.Time // when it happened
	Behind                 bool      // lagging more than the alert threshold, or not running while on
	SyncInterval           time.Duration
	Retention              time.Duration // how far back a point-in-time restore can go
	StartedAt              time.Time
}

// ReplicaSection is the settings page's replication section: the state of
// this run and the settings, with where each comes from.
type ReplicaSection struct {
	State ReplicaState
	// Settings are those in force (pinned ones from config), secrets blanked:
	// SecretSaved says whether a secret is set.
	Settings    app.ReplicaSettings
	SecretSaved bool
	// Sources say where each setting comes from, by config key
	// (replica.url …): the console, or pinned by config.yaml or the environment.
	Sources map[string]app.Source
	// Restart: the settings in force differ from those this run replicates
	// with; they apply when paygate starts next.
	Restart bool
}

// Pinned: the key is set in config.yaml or the environment, read-only here.
func (s ReplicaSection) Pinned(key string) bool { return s.Sources[key].Pinned() }

// ReplicaForm is the replication section's form, as typed. An empty secret
// keeps the saved one; an empty URL turns replication off.
type ReplicaForm struct {
	URL, Endpoint, Region, AccessKeyID, SecretAccessKey, HostKey, KeyFile string
}
