package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"paygate/app/backup"
	"paygate/app/store"
)

// restore is `paygate restore FILE [flags]`: it puts a backup back while no
// paygate runs on the data directory. With --from-replica it rebuilds the
// data directory from an off-machine replica instead (restore_replica.go).
func (p Program) restore(args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "--from-replica" || strings.HasPrefix(a, "--from-replica=") {
			return p.restoreFromReplica(args, stdout, stderr)
		}
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "paygate restore: name the backup file, e.g. paygate restore data/backups/paygate-20261126-020000.db")
		return 2
	}
	file, args := args[0], args[1:]
	cfg, _, code := p.loadConfig(args, stdout, stderr)
	if cfg == nil {
		return code
	}
	unlock, err := store.Lock(cfg.Data.Dir)
	if err != nil {
		return fail(stderr, "paygate restore", cfg.Data.Dir, err)
	}
	defer unlock()
	counts, aside, err := backup.Restore(context.Background(), file, cfg.Data.Dir, time.Now())
	if err != nil {
		return fail(stderr, "paygate restore", cfg.Data.Dir, err)
	}
	fmt.Fprintf(stdout, "restored %s into %s (%d orders, %d payments)\n", file, cfg.Data.Dir, counts.Orders, counts.Payments)
	if aside != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept as %s\n", aside)
	}
	return 0
}
