// Package storetest opens real paygate databases for tests: a SQLite file in
// the test's temporary directory, migrated, on a settable clock, closed when
// the test ends. (The store's own tests cannot import it — it imports the
// store — and open theirs the same way with testclock.)
package storetest

import (
	"context"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/store"
	"paygate/app/testclock"
)

// Start is the time the clock of Open shows first: a weekday morning,
// Shanghai time, far from midnight.
var Start = time.Date(2026, 11, 26, 10, 0, 0, 0, app.Shanghai)

// Open opens a new database in t.TempDir() on a clock that starts at Start.
func Open(t testing.TB) (*store.DB, *testclock.Clock) {
	t.Helper()
	clock := testclock.New(Start)
	return OpenDir(t, t.TempDir(), clock), clock
}

// OpenDir opens (or reopens) the database in dir on clock (nil: the real
// time), with synchronous=NORMAL: tests need no durability across a power cut.
func OpenDir(t testing.TB, dir string, clock *testclock.Clock) *store.DB {
	t.Helper()
	opts := store.Options{Synchronous: "NORMAL"}
	if clock != nil {
		opts.Now = clock.Now
	}
	db, err := store.Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Seed stores the first settings: the merchant API key and the callback URL
// ("" for none), as paygate does when it starts.
func Seed(t testing.TB, db *store.DB, apiKey, callbackURL string) {
	t.Helper()
	if err := db.SeedSettings(context.Background(), apiKey, callbackURL); err != nil {
		t.Fatal(err)
	}
}
