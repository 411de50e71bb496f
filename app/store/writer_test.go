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

// A batch runs without savepoints until a job fails after it wrote: then
// the batch runs again with a savepoint per job, so the failed job's rows
// are gone and its neighbours' are committed once, and the next batches
// keep their savepoints for a while. A job whose caller left before it
// started wrote nothing and does not cost the batch a second run.
func TestBatchWithoutSavepointsRunsAgainWhenAJobFails(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	runs := map[string]int{}
	var mu sync.Mutex
	job := func(ctx context.Context, key string, fail bool) *writeJob {
		return &writeJob{ctx: ctx, done: make(chan error, 1), fn: func(tx *Tx) error {
			mu.Lock()
			runs[key]++
			mu.Unlock()
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, 'v')`, key); err != nil {
				return err
			}
			if fail {
				return errors.New("refused after writing")
			}
			return nil
		}}
	}
	batch := func(jobs ...*writeJob) []error { return runAsOneBatch(db, jobs...) }

	gone, cancel := context.WithCancel(ctx)
	cancel()
	errs := batch(job(ctx, "b.1", false), job(gone, "b.gone", false), job(ctx, "b.2", false))
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], context.Canceled) {
		t.Fatalf("outcomes %v, want nil, canceled, nil", errs)
	}
	if n := db.batch.guardedReruns.Load(); n != 0 || db.guardedBatches != 0 {
		t.Fatalf("a job that never started made the batch run again (%d) or guarded (%d)", n, db.guardedBatches)
	}

	errs = batch(job(ctx, "c.1", false), job(ctx, "c.fail", true), job(ctx, "c.2", false))
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("outcomes %v, want nil, an error, nil", errs)
	}
	if n := db.batch.guardedReruns.Load(); n != 1 {
		t.Fatalf("%d guarded reruns, want 1", n)
	}
	if db.guardedBatches != guardedAfterFailure {
		t.Fatalf("%d guarded batches ahead, want %d", db.guardedBatches, guardedAfterFailure)
	}
	if runs["c.1"] != 2 || runs["c.fail"] != 2 || runs["c.2"] != 1 {
		t.Errorf("runs %v: the jobs up to the failed one should have run twice, the one after it once", runs)
	}

	// The next batch is guarded: its failing job is undone alone, at once.
	errs = batch(job(ctx, "d.1", false), job(ctx, "d.fail", true))
	if errs[0] != nil || errs[1] == nil {
		t.Fatalf("outcomes %v, want nil, an error", errs)
	}
	if n := db.batch.guardedReruns.Load(); n != 1 || runs["d.1"] != 1 {
		t.Errorf("a guarded batch ran again: %d reruns, d.1 ran %d times", n, runs["d.1"])
	}

	got, err := db.SettingValues(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"b.1", "b.2", "c.1", "c.2", "d.1"} {
		if _, ok := got[k]; !ok {
			t.Errorf("%s was not committed", k)
		}
	}
	for _, k := range []string{"b.gone", "c.fail", "d.fail"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s was committed", k)
		}
	}
}

// runAsOneBatch holds the writer on a job until jobs are queued behind it,
// so that the writer takes them as one batch, and returns their outcomes.
func runAsOneBatch(db *DB, jobs ...*writeJob) []error {
	release, started := make(chan struct{}), make(chan struct{})
	go db.tx(context.Background(), func(*Tx) error {
		close(started)
		<-release
		return nil
	})
	<-started
	for _, j := range jobs {
		db.jobs <- j
	}
	close(release)
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		errs[i] = <-j.done
	}
	return errs
}
