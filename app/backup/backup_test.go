package backup

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"paygate/app/store/storetest"
)

func TestCreateListPrune(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenDir(t, t.TempDir(), nil)
	dir := filepath.Join(t.TempDir(), "backups")
	start := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	var made []string
	for i := 0; i < 5; i++ {
		p, err := Create(ctx, db, dir, start.Add(time.Duration(i)*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, p)
	}
	if err := Prune(dir, 3); err != nil {
		t.Fatal(err)
	}
	left, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{made[4], made[3], made[2]}
	if len(left) != 3 || left[0] != want[0] || left[1] != want[1] || left[2] != want[2] {
		t.Fatalf("kept %v, want the newest three %v", left, want)
	}
	// Two backups in the same second get distinct names.
	a, err1 := Create(ctx, db, dir, start)
	b, err2 := Create(ctx, db, dir, start)
	if err1 != nil || err2 != nil || a == b {
		t.Fatalf("same-second backups: %s %s %v %v", a, b, err1, err2)
	}
}
