package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Jobs that share a commit stay independent: a failing or panicking job
// leaves no trace, its neighbours are committed.
func TestGroupCommitIsolatesJobs(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 60)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = db.tx(ctx, func(tx *Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, 'v')`, fmt.Sprintf("job.%d", i)); err != nil {
					return err
				}
				switch i % 3 {
				case 1:
					return errors.New("job fails after writing")
				case 2:
					panic("job panics after writing")
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if (i%3 == 0) != (err == nil) {
			t.Errorf("job %d: err = %v", i, err)
		}
	}
	got, err := db.SettingValues(ctx, "job.")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 {
		t.Fatalf("%d rows committed, want the 20 jobs that succeeded", len(got))
	}
	if n := db.batch.reruns.Load(); n != 0 {
		t.Errorf("%d batches were run again: a failing job's ROLLBACK TO was taken for a lost transaction", n)
	}
	for k := range got {
		var i int
		fmt.Sscanf(k, "job.%d", &i)
		if i%3 != 0 {
			t.Errorf("row of failed job %d was committed", i)
		}
	}
}

func TestWritesAfterCloseFail(t *testing.T) {
	db, _ := openTestDB(t)
	db.Close()
	if err := db.PutSettings(context.Background(), map[string]string{"a": "b"}); !errors.Is(err, errClosed) {
		t.Fatalf("err = %v, want errClosed", err)
	}
}

// holdWriter makes the writer wait inside a job until release is called, so
// the jobs queued meanwhile share the next batch.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	started, gate := make(chan struct{}), make(chan struct{})
	go db.tx(context.Background(), func(tx *Tx) error {
		close(started)
		<-gate
		return nil
	})
	<-started
	return func() { close(gate) }
}

// waitQueued waits until n jobs wait for the writer.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(db.jobs) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs queued, want %d", len(db.jobs), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func settingExists(t *testing.T, db *DB, key string) bool {
	t.Helper()
	var n int
	if err := db.read.QueryRowContext(context.Background(), `SELECT count(*) FROM settings WHERE key = ?`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// A caller that hangs up while its job runs must not take the jobs sharing
// its commit down with it: SQLite rolls back the whole transaction when a
// write statement is interrupted, so a started job never sees the caller's
// context. Every answer is true to what is on disk.
func TestCallerGoneMidJobLeavesBatchWhole(t *testing.T) {
	tests := []struct {
		name string
		job  func(ctx context.Context, cancel context.CancelFunc, tx *Tx) error
	}{
		{"cancelled during a long insert", func(ctx context.Context, cancel context.CancelFunc, tx *Tx) error {
			time.AfterFunc(2*time.Millisecond, cancel)
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) SELECT 'gone.' || x, 'v' FROM
				(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 200000) SELECT x FROM c)`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('gone', 'v')`)
			return err
		}},
		{"cancelled before its statements", func(ctx context.Context, cancel context.CancelFunc, tx *Tx) error {
			cancel()
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('gone', 'v')`)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			release := holdWriter(t, db)
			const n = 9
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					errs[i] = db.tx(ctx, func(tx *Tx) error {
						if i == n/2 {
							return tt.job(ctx, cancel, tx)
						}
						_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, 'v')`, fmt.Sprintf("job.%d", i))
						return err
					})
				}(i)
			}
			waitQueued(t, db, n)
			release()
			wg.Wait()
			for i, err := range errs {
				if i == n/2 {
					if (err == nil) != settingExists(t, db, "gone") {
						t.Errorf("the hung-up job answered %v, but its row on disk: %v", err, settingExists(t, db, "gone"))
					}
					continue
				}
				if err != nil || !settingExists(t, db, fmt.Sprintf("job.%d", i)) {
					t.Errorf("job %d sharing the batch: err = %v, on disk: %v", i, err, settingExists(t, db, fmt.Sprintf("job.%d", i)))
				}
			}
		})
	}
}

// When SQLite drops the shared transaction under one job, nothing of the
// batch may reach the disk through autocommit, and every other job is run
// again and committed: each caller gets its own true answer.
func TestLostBatchIsRunAgainJobByJob(t *testing.T) {
	tests := []struct {
		name string
		job  func(tx *Tx) error
	}{
		{"fails after the rollback", func(tx *Tx) error {
			if _, err := tx.Exec(`ROLLBACK`); err != nil {
				return err
			}
			return errors.New("job fails")
		}},
		{"swallows the rollback and writes on", func(tx *Tx) error {
			tx.Exec(`ROLLBACK`)
			tx.Exec(`INSERT INTO settings (key, value) VALUES ('bad', 'v')`)
			return nil
		}},
		{"swallows the rollback, opens its own transaction", func(tx *Tx) error {
			tx.Exec(`ROLLBACK`)
			tx.Exec(`BEGIN`)
			tx.Exec(`INSERT INTO settings (key, value) VALUES ('bad', 'v')`)
			tx.Exec(`COMMIT`)
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			release := holdWriter(t, db)
			const n = 7
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					errs[i] = db.tx(context.Background(), func(tx *Tx) error {
						if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, 'v')`, fmt.Sprintf("job.%d", i)); err != nil {
							return err
						}
						if i == 3 {
							return tt.job(tx)
						}
						return nil
					})
				}(i)
			}
			waitQueued(t, db, n)
			release()
			wg.Wait()
			for i, err := range errs {
				onDisk := settingExists(t, db, fmt.Sprintf("job.%d", i))
				if i == 3 {
					if err == nil || onDisk || settingExists(t, db, "bad") {
						t.Errorf("the job that lost the transaction: err = %v, its rows on disk: %v %v", err, onDisk, settingExists(t, db, "bad"))
					}
					continue
				}
				if err != nil || !onDisk {
					t.Errorf("job %d: err = %v, on disk: %v", i, err, onDisk)
				}
			}
			if db.batch.reruns.Load() == 0 {
				t.Error("the lost batch was not noticed")
			}
		})
	}
}
