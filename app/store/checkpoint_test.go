package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// While Litestream replicates, only it checkpoints: SQLite's automatic
// checkpoint on paygate's writer is off. Otherwise it stays SQLite's 1,000 pages.
func TestAutoCheckpointLeftToLitestream(t *testing.T) {
	for _, tt := range []struct {
		off  bool
		want int
	}{{false, 1000}, {true, 0}} {
		db, err := Open(context.Background(), t.TempDir(), Options{NoAutoCheckpoint: tt.off})
		if err != nil {
			t.Fatal(err)
		}
		var pages int
		if err := db.write.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if pages != tt.want {
			t.Errorf("NoAutoCheckpoint %v: wal_autocheckpoint = %d, want %d", tt.off, pages, tt.want)
		}
	}
}

// BeforeWrite holds the writer back before it takes the write lock (while
// Litestream checkpoints); the writes queued meanwhile go in one batch
// afterwards, and each is answered.
func TestBeforeWriteHoldsTheWriter(t *testing.T) {
	release := make(chan struct{})
	var holding atomic.Bool
	var calls atomic.Int32
	db, err := Open(context.Background(), t.TempDir(), Options{BeforeWrite: func() {
		if holding.CompareAndSwap(true, false) {
			<-release
		}
		calls.Add(1)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release) // never leave the writer held: Close waits for it
		}
	}()
	holding.Store(true)
	calls.Store(0)
	ctx := context.Background()
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		go func() {
			errs <- db.tx(ctx, func(tx *Tx) error {
				_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, 'x')`, fmt.Sprintf("test.before_write.%d", i))
				return err
			})
		}()
	}
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-errs:
		t.Fatalf("a write went through while BeforeWrite held the writer: %v", err)
	default:
	}
	close(release)
	for i := 0; i < 10; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n > 4 {
		t.Errorf("BeforeWrite called %d times for 10 writes queued together: they were not batched", n)
	}
}

// A Litestream started after the database was opened gets the checkpoints
// from then on.
func TestLeaveCheckpointsToLitestreamLater(t *testing.T) {
	db, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.LeaveCheckpointsToLitestream(context.Background()); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.write.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != 0 {
		t.Fatalf("wal_autocheckpoint = %d after LeaveCheckpointsToLitestream, want 0", pages)
	}
	if err := db.PutSettings(context.Background(), map[string]string{"test.after_pragma": "x"}); err != nil { // the writer still writes
		t.Fatal(err)
	}
}
