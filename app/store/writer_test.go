package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
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
