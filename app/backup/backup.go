// Package backup makes online copies of the database into data/backups,
// keeps the newest few, and puts one back.
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/store"
)

// Dir is where backups go inside the data directory.
func Dir(dataDir string) string { return filepath.Join(dataDir, "backups") }

const prefix, suffix = "paygate-", ".db"

// Create writes a new backup into dir and returns its path.
func Create(ctx context.Context, db *store.DB, dir string, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	path := filepath.Join(dir, prefix+now.UTC().Format("20060102-150405")+suffix)
	for i := 2; fileExists(path); i++ { // two in one second
		path = filepath.Join(dir, fmt.Sprintf("%s%s-%d%s", prefix, now.UTC().Format("20060102-150405"), i, suffix))
	}
	return path, db.BackupTo(ctx, path)
}

// List returns the backups in dir, newest first.
func List(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), prefix) && strings.HasSuffix(e.Name(), suffix) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	// The names carry the UTC time, so name order is time order.
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out, nil
}

// Newest is when the newest backup in dir was written; zero when there is none.
func Newest(dir string) time.Time {
	list, err := List(dir)
	if err != nil || len(list) == 0 {
		return time.Time{}
	}
	st, err := os.Stat(list[0])
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

// Prune deletes all but the newest keep backups.
func Prune(dir string, keep int) error {
	list, err := List(dir)
	if err != nil || len(list) <= keep {
		return err
	}
	var errs []error
	for _, p := range list[keep:] {
		errs = append(errs, os.Remove(p))
	}
	return errors.Join(errs...)
}

// Run makes a backup every interval and prunes, until ctx ends. report,
// when not nil, hears how each backup went (nil: written), for the alerts.
func Run(ctx context.Context, db *store.DB, dir string, interval time.Duration, keep int, log *slog.Logger, report func(error)) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		path, err := Create(ctx, db, dir, time.Now())
		if report != nil && ctx.Err() == nil {
			report(err)
		}
		if err != nil {
			log.Error("scheduled backup failed", "err", err)
			continue
		}
		if err := Prune(dir, keep); err != nil {
			log.Warn("removing old backups", "err", err)
		}
		log.Info("backup written", "file", path)
	}
}

// Restore checks that file is a readable paygate database, moves the
// current database aside (kept as paygate.db.before-restore-<time>) and puts
// a copy of file in its place. paygate must not be running on dataDir.
func Restore(ctx context.Context, file, dataDir string, now time.Time) (store.Counts, string, error) {
	var counts store.Counts
	if !fileExists(file) {
		return counts, "", app.NewError(app.ENOTFOUND, "",
			"没有备份文件 "+file+"：请检查路径，备份在数据目录的 backups 里，例如 data/backups/paygate-20261126-020000.db。",
			"There is no backup file "+file+": check the path; backups are in the data directory's backups folder, e.g. data/backups/paygate-20261126-020000.db.")
	}
	// Check the backup on a scratch copy: opening it runs migrations, which
	// must not touch the file the owner handed us.
	scratch, err := os.MkdirTemp("", "paygate-restore-")
	if err != nil {
		return counts, "", err
	}
	defer os.RemoveAll(scratch)
	if err := copyFile(file, filepath.Join(scratch, "paygate.db")); err != nil {
		return counts, "", err
	}
	db, err := store.Open(ctx, scratch, store.Options{})
	if err != nil {
		return counts, "", unusableBackup(file, err)
	}
	if err := db.CheckIntegrity(ctx); err != nil {
		db.Close()
		return counts, "", unusableBackup(file, err)
	}
	if counts, err = db.Count(ctx); err != nil {
		db.Close()
		return counts, "", unusableBackup(file, err)
	}
	db.Close()

	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return counts, "", err
	}
	current := filepath.Join(dataDir, "paygate.db")
	aside := ""
	if fileExists(current) {
		aside = current + ".before-restore-" + now.UTC().Format("20060102-150405")
		if err := os.Rename(current, aside); err != nil {
			return counts, "", err
		}
		for _, ext := range []string{"-wal", "-shm"} {
			if fileExists(current + ext) {
				if err := os.Rename(current+ext, aside+ext); err != nil {
					return counts, "", err
				}
			}
		}
	}
	if err := copyFile(filepath.Join(scratch, "paygate.db"), current); err != nil {
		return counts, aside, err
	}
	return counts, aside, nil
}

// unusableBackup says why file cannot be restored; the scratch copy it was
// checked on is not named, and the error beneath is kept as text.
func unusableBackup(file string, err error) error {
	if errors.Is(err, store.ErrNewerSchema) {
		return fmt.Errorf("%w (%v)", app.NewError(app.ECONFLICT, "",
			"备份 "+file+" 来自更新版本的 paygate：请用那个更新版本的 paygate 恢复并运行它。",
			"The backup "+file+" comes from a newer paygate: restore and run it with that newer paygate."), err)
	}
	return fmt.Errorf("%w (%v)", app.NewError(app.EINVALID, "",
		file+" 不是 paygate 数据库，或已损坏：请换一个备份文件（data/backups 里较早的一个）。",
		file+" is not a paygate database, or it is damaged: choose another backup file (an older one in data/backups)."), err)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
