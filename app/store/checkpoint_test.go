package store

import (
	"context"
	"testing"
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
