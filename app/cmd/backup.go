package cmd

import (
	"context"
	"fmt"
	"io"
	"time"

	"paygate/app/backup"
	"paygate/app/store"
)

// backup is `paygate backup`: one backup now, beside the scheduled ones.
// It is safe while paygate runs, so it takes no lock on the data directory.
func (p Program) backup(args []string, stdout, stderr io.Writer) int {
	cfg, _, code := p.loadConfig(args, stdout, stderr)
	if cfg == nil {
		return code
	}
	ctx := context.Background()
	db, err := store.Open(ctx, cfg.Data.Dir, store.Options{Synchronous: cfg.Data.Synchronous})
	if err != nil {
		return fail(stderr, "paygate backup", cfg.Data.Dir, err)
	}
	defer db.Close()
	path, err := backup.Create(ctx, db, backup.Dir(cfg.Data.Dir), time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "paygate backup:", err)
		return 1
	}
	counts, _ := db.Count(ctx)
	fmt.Fprintf(stdout, "backup written: %s (%d orders, %d payments)\n", path, counts.Orders, counts.Payments)
	return 0
}
