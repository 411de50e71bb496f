package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"paygate/app"
	"paygate/app/replica"
	"paygate/app/store"
)

// restoreFromReplica is `paygate restore --from-replica URL [--at TIME]`: it
// rebuilds the data directory from an off-machine replica (a new machine
// after the old one is gone), while no paygate runs on it. A database
// already there is kept aside, unless it holds records newer than the
// replica: then nothing is changed.
func (p Program) restoreFromReplica(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("paygate restore --from-replica", stderr)
	from := fs.String("from-replica", "", "the replica: file:///dir, s3://bucket/path or sftp://user@host/path (replica.url)")
	at := fs.String("at", "", `restore the database as it was at this Shanghai time, e.g. "2026-11-26 16:00:00" (default: the newest)`)
	endpoint := fs.String("endpoint", "", "S3-compatible endpoint, e.g. https://oss-cn-hangzhou.aliyuncs.com (replica.endpoint)")
	region := fs.String("region", "", "S3 region, e.g. cn-hangzhou (replica.region)")
	hostKey := fs.String("host-key", "", `SFTP server's host key, e.g. "ssh-ed25519 AAAA…" (replica.host_key)`)
	keyFile := fs.String("key-file", "", "SFTP private key file (replica.key_file)")
	config := fs.String("config", "", "config.yaml to read")
	dataDir := fs.String("data-dir", "", "the data directory to rebuild (data.dir)")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "paygate restore --from-replica: unexpected %q: the replica is the value of --from-replica\n", fs.Arg(0))
		return 2
	}
	var cfgArgs []string
	if *config != "" {
		cfgArgs = append(cfgArgs, "--config", *config)
	}
	if *dataDir != "" {
		cfgArgs = append(cfgArgs, "--data-dir", *dataDir)
	}
	cfg, logger, code := p.loadConfig(cfgArgs, stdout, stderr)
	if cfg == nil {
		return code
	}
	// Credentials come from config.yaml or the environment
	// (PAYGATE_REPLICA_ACCESS_KEY_ID, PAYGATE_REPLICA_SECRET_ACCESS_KEY), not
	// from the command line, where other users and the shell history see them.
	s := cfg.Replica.Settings
	for key, v := range map[string]string{"replica.url": *from, "replica.endpoint": *endpoint, "replica.region": *region, "replica.host_key": *hostKey, "replica.key_file": *keyFile} {
		if v != "" {
			s.Set(key, v)
		}
	}
	var when time.Time
	if *at != "" {
		t, err := parseShanghaiTime(*at)
		if err != nil {
			fmt.Fprintf(stderr, "paygate restore: --at %q is not a time like \"2026-11-26 16:00:00\" (Shanghai time) or 2026-11-26T08:00:00Z\n", *at)
			return 2
		}
		when = t
	}

	unlock, err := store.Lock(cfg.Data.Dir)
	if err != nil {
		return fail(stderr, "paygate restore", cfg.Data.Dir, err)
	}
	defer unlock()
	ctx := context.Background()
	// Restored beside the database first, on the same disk, so putting it in
	// place is a rename.
	scratch, err := os.MkdirTemp(cfg.Data.Dir, ".restore-from-replica-")
	if err != nil {
		return fail(stderr, "paygate restore", cfg.Data.Dir, err)
	}
	defer os.RemoveAll(scratch)
	fmt.Fprintf(stdout, "restoring from %s …\n", s.Display())
	res, err := replica.Restore(ctx, s, filepath.Join(scratch, "paygate.db"), when, logger)
	if err != nil {
		return fail(stderr, "paygate restore", cfg.Data.Dir, err)
	}
	got, err := inspectRestored(ctx, scratch)
	if err != nil {
		return fail(stderr, "paygate restore", cfg.Data.Dir, err)
	}
	current := filepath.Join(cfg.Data.Dir, "paygate.db")
	aside, err := setAside(ctx, current, got.newest, time.Now())
	if err != nil {
		return fail(stderr, "paygate restore", cfg.Data.Dir, err)
	}
	for _, ext := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(filepath.Join(scratch, "paygate.db"+ext), current+ext); err != nil && (ext == "" || !errors.Is(err, os.ErrNotExist)) {
			return fail(stderr, "paygate restore", cfg.Data.Dir, err)
		}
	}
	if err := replica.MarkRestored(current, s, res.TXID, time.Now()); err != nil {
		return fail(stderr, "paygate restore", cfg.Data.Dir, err)
	}

	fmt.Fprintf(stdout, "restored %s as of %s (batch %d) into %s (%d orders, %d payments; newest record %s)\n",
		s.Display(), app.FormatTime(res.At), res.TXID, cfg.Data.Dir, got.counts.Orders, got.counts.Payments, orDash(app.FormatTime(got.newest)))
	if aside != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept as %s\n", aside)
	}
	if res.TXID < res.Newest {
		fmt.Fprintf(stdout, "\n  副本里还有比 --at 更新的数据：paygate 不会覆盖它们，所以启动前请把 replica.url 换成一个新的空位置（例如在路径后加 -2）。\n"+
			"  The replica holds changes newer than --at: paygate will not overwrite them, so point replica.url at a new, empty place (e.g. add -2 to the path) before starting.\n")
	} else {
		fmt.Fprintf(stdout, "start paygate on %s with replica.url %s to carry on replicating to it\n", cfg.Data.Dir, s.SafeURL())
	}
	return 0
}

// restoredCopy is what the restored database holds.
type restoredCopy struct {
	counts store.Counts
	newest time.Time
}

// inspectRestored opens the restored database in dir as paygate will (its
// migrations run on this copy), checks it and reads what it holds.
func inspectRestored(ctx context.Context, dir string) (restoredCopy, error) {
	var c restoredCopy
	db, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		return c, err
	}
	defer db.Close()
	if err := db.CheckIntegrity(ctx); err != nil {
		return c, err
	}
	if c.counts, err = db.Count(ctx); err != nil {
		return c, err
	}
	c.newest, err = db.NewestRecord(ctx)
	return c, err
}

// setAside moves the database at current (with its WAL, shared memory and
// Litestream folder) to current.before-restore-<time>, unless it holds a
// record newer than restoredNewest: then it refuses and changes nothing.
func setAside(ctx context.Context, current string, restoredNewest time.Time, now time.Time) (string, error) {
	if _, err := os.Stat(current); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	localNewest, err := store.PeekNewestRecord(ctx, current)
	if err != nil {
		return "", fmt.Errorf("%w (%v)", app.NewError(app.ECONFLICT, "",
			"无法读取本机已有的数据库 "+current+"，没法确认它不比副本新，所以没有覆盖它。如果确定不要它，先把它（连同 -wal、-shm 文件）移到别处，再运行一次。",
			"The database already here, "+current+", cannot be read, so paygate cannot tell it is not newer than the replica and did not replace it. If you are sure you do not need it, move it (with its -wal and -shm files) elsewhere and run this again."), err)
	}
	if localNewest.After(restoredNewest) {
		return "", app.NewError(app.ECONFLICT, "",
			"本机的数据库 "+current+" 比副本新（本机最新记录 "+app.FormatTime(localNewest)+"，副本最新记录 "+orDash(app.FormatTime(restoredNewest))+"），恢复会丢掉这些更新，所以没有覆盖它。"+
				"如果这台机器的数据库才是最新的，不要恢复，直接启动 paygate；确定要用副本，先把本机数据库（连同 -wal、-shm 文件）移到别处再运行一次。",
			"The database here, "+current+", is newer than the replica (its newest record "+app.FormatTime(localNewest)+", the replica's "+orDash(app.FormatTime(restoredNewest))+"): restoring would lose those records, so it was not replaced. "+
				"If this machine's database is the newest, do not restore: start paygate. To use the replica anyway, move the local database (with its -wal and -shm files) elsewhere and run this again.")
	}
	aside := current + ".before-restore-" + now.UTC().Format("20060102-150405")
	for _, ext := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(current+ext, aside+ext); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	if meta := replica.MetaDir(current); dirExists(meta) {
		if err := os.Rename(meta, replica.MetaDir(aside)); err != nil {
			return "", err
		}
	}
	return aside, nil
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// parseShanghaiTime reads "2026-11-26 16:00:00" or "2026-11-26 16:00" as
// Shanghai time, or an RFC 3339 time with its zone.
func parseShanghaiTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{app.TimeLayout, "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, app.Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a time")
}
