package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The writer never checkpoints (a checkpoint in its commit held the whole
// batch up); the checkpointer copies the WAL beside it shortly after
// commits. While Litestream replicates, only Litestream checkpoints.
func TestCheckpointsBesideTheWriter(t *testing.T) {
	for _, litestream := range []bool{false, true} {
		db, err := Open(context.Background(), t.TempDir(), Options{NoAutoCheckpoint: litestream})
		if err != nil {
			t.Fatal(err)
		}
		var pages int
		if err := db.tx(context.Background(), func(tx *Tx) error {
			return tx.QueryRowContext(context.Background(), `PRAGMA wal_autocheckpoint`).Scan(&pages)
		}); err != nil {
			t.Fatal(err)
		}
		if pages != 0 {
			t.Errorf("Litestream %v: the writer's wal_autocheckpoint = %d, want 0", litestream, pages)
		}
		if litestream != (db.checkpoints == nil) {
			t.Errorf("Litestream %v: checkpointer running = %v", litestream, db.checkpoints != nil)
		}
		if !litestream {
			for i := range 20 {
				if err := db.PutSettings(context.Background(), map[string]string{"test.checkpoint": fmt.Sprint(i)}); err != nil {
					t.Fatal(err)
				}
			}
			deadline := time.Now().Add(5 * time.Second)
			for db.checkpoints.logged.Load() == 0 || db.checkpoints.copied.Load() < db.checkpoints.logged.Load() {
				if time.Now().After(deadline) {
					t.Fatalf("no checkpoint copied the WAL: %d runs, %d of %d frames", db.checkpoints.runs.Load(),
						db.checkpoints.copied.Load(), db.checkpoints.logged.Load())
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
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
	var limit int64
	if err := db.tx(context.Background(), func(tx *Tx) error {
		return tx.QueryRowContext(context.Background(), `PRAGMA journal_size_limit`).Scan(&limit)
	}); err != nil {
		t.Fatal(err)
	}
	if limit != -1 {
		t.Errorf("journal_size_limit = %d after LeaveCheckpointsToLitestream, want -1 (SQLite's default)", limit)
	}
	runs := db.checkpoints.runs.Load()
	for i := range 10 {
		if err := db.PutSettings(context.Background(), map[string]string{"test.after": fmt.Sprint(i)}); err != nil { // the writer still writes
			t.Fatal(err)
		}
	}
	time.Sleep(3 * checkpointEvery)
	if n := db.checkpoints.runs.Load(); n != runs {
		t.Fatalf("%d checkpoints after LeaveCheckpointsToLitestream, want none", n-runs)
	}
}

// Under writes that never pause, the checkpointer alone could never copy
// the whole WAL, and SQLite starts the file over only then: the writer
// finishes a checkpoint once the file passes restartBytes, so the WAL stays
// about that long instead of growing with every write.
func TestWALStartsOverUnderSteadyWrites(t *testing.T) {
	db, _ := openTestDB(t)
	wal := db.Path() + "-wal"
	value := strings.Repeat("x", 3000)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var longest atomic.Int64
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if fi, err := os.Stat(wal); err == nil && fi.Size() > longest.Load() {
				longest.Store(fi.Size())
			}
		}
	}()
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 600 {
				if err := db.PutSettings(context.Background(), map[string]string{fmt.Sprintf("test.wal.%d.%d", w, i): value}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	written := int64(16 * 600 * len(value))
	if db.checkpoints.finished.Load() == 0 {
		t.Errorf("%d MB written and the writer never finished a checkpoint", written>>20)
	}
	if n := longest.Load(); n > 2*restartBytes {
		t.Errorf("the WAL grew to %.1f MB while %.1f MB were written; want it to start over at %.1f MB",
			float64(n)/(1<<20), float64(written)/(1<<20), float64(restartBytes)/(1<<20))
	}
}
