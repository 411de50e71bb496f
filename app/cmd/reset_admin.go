package cmd

import (
	"context"
	"fmt"
	"io"

	"paygate/app/store"
)

// resetAdmin is `paygate reset-admin`: it removes the admin account and its
// sessions, so the console's first-run page asks for a new password.
// Orders, payments and settings stay.
func (p Program) resetAdmin(args []string, stdout, stderr io.Writer) int {
	cfg, _, code := p.loadConfig(args, stdout, stderr)
	if cfg == nil {
		return code
	}
	ctx := context.Background()
	unlock, err := store.Lock(cfg.Data.Dir)
	if err != nil {
		return fail(stderr, "paygate reset-admin", cfg.Data.Dir, err)
	}
	defer unlock()
	db, err := store.Open(ctx, cfg.Data.Dir, store.Options{Synchronous: cfg.Data.Synchronous})
	if err != nil {
		return fail(stderr, "paygate reset-admin", cfg.Data.Dir, err)
	}
	defer db.Close()
	n, err := db.ResetAdmin(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "paygate:", err)
		return 1
	}
	fmt.Fprintf(stdout, "removed %d admin account(s) from %s.\nStart paygate and open the admin console to choose a new password.\n", n, db.Path())
	return 0
}
