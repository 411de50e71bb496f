package store

import (
	"context"
	"testing"
	"time"

	"paygate/app/testclock"
)

func TestUseRequestNonce(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	window := 10 * time.Minute
	steps := []struct {
		name    string
		advance time.Duration
		nonce   string
		want    bool
	}{
		{"first use", 0, "a", true},
		{"same nonce again", 0, "a", false},
		{"another nonce", 0, "b", true},
		{"still inside the window", window - time.Second, "a", false},
		{"at the end of the window", time.Second, "a", false},
		{"after the window", time.Millisecond, "a", true},
		{"its new use is remembered", 0, "a", false},
	}
	for _, s := range steps {
		clock.Add(s.advance)
		got, err := db.UseRequestNonce(ctx, s.nonce, clock.Now().Add(window))
		if err != nil {
			t.Fatal(err)
		}
		if got != s.want {
			t.Errorf("%s: fresh = %v, want %v", s.name, got, s.want)
		}
	}
}

// Nonces survive closing and reopening the database, and expired ones are pruned.
func TestRequestNoncesPersistAndArePruned(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	clock := testclock.New(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	db, err := Open(ctx, dir, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"old-1", "old-2", "kept"} {
		if _, err := db.UseRequestNonce(ctx, n, clock.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	if db, err = Open(ctx, dir, Options{Now: clock.Now}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if fresh, err := db.UseRequestNonce(ctx, "kept", clock.Now().Add(time.Minute)); err != nil || fresh {
		t.Fatalf("nonce used before the restart: fresh = %v, %v", fresh, err)
	}
	clock.Add(2 * time.Minute)
	if _, err := db.UseRequestNonce(ctx, "new", clock.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM request_nonces`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Fatalf("%d nonces kept, want only the one still in its window", rows)
	}
}
