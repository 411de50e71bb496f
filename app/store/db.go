// Package store keeps paygate's state in SQLite. All SQL lives here. Every
// exported method that changes state is one transaction on the single writer
// connection; reads use a separate pool.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"

	"paygate/app"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune the database.
type Options struct {
	Synchronous string // FULL or NORMAL
	ReadConns   int
	Now         func() time.Time // clock; time.Now when nil
	// NoAutoCheckpoint leaves checkpoints to Litestream while it replicates
	// the database: it holds a read transaction so that nothing is
	// checkpointed before it has copied it, and SQLite's automatic
	// checkpoint would then retry after every commit past 1,000 pages.
	NoAutoCheckpoint bool
	// BeforeWrite, when set, is called by the writer before it takes the
	// write lock for the next batch, and may hold it back: Litestream's
	// checkpoint needs the write lock too, and a writer busy without a
	// pause would keep it from ever getting it, replication standing still
	// meanwhile (replica.Replicator.WaitForCheckpoint).
	BeforeWrite func()
}

// DB is the paygate database.
type DB struct {
	path      string
	write     *sql.DB   // exactly one connection: writeConn
	writeConn *sql.Conn // held for the life of the database, used only by the writer goroutine (writer.go)
	read      *pool
	now       func() time.Time

	writeStmts *stmtCache
	settings   atomic.Pointer[app.Settings] // cache; every settings write clears it

	jobs        chan *writeJob
	beforeWrite func()
	batch       batchState // what the writer's connection hooks check (writer.go)
	// guardedBatches counts down the batches that still run with a
	// savepoint per job after one failed without (commitBatch); only the
	// writer goroutine uses it.
	guardedBatches int
	lastClaim      int64 // the last callback claim's stamp (newClaim); only the writer uses it
	observer       atomic.Pointer[observerBox]
	closing        chan struct{}
	writerDone     chan struct{}
	checkpoints    *checkpointer // nil while Litestream checkpoints
	closeOnce      sync.Once
}

// Open opens (creating if needed) dir/paygate.db and applies migrations.
func Open(ctx context.Context, dir string, opts Options) (*DB, error) {
	if err := checkWritable(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "paygate.db")
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	if opts.ReadConns < 1 {
		opts.ReadConns = 4
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}

	db := &DB{path: path, now: now, jobs: make(chan *writeJob, 4*maxBatch), closing: make(chan struct{}), writerDone: make(chan struct{}),
		beforeWrite: opts.BeforeWrite}
	// The writer checkpoints only to let the WAL start over; the checkpointer
	// or Litestream copies it (checkpoint.go).
	writeDSN := dsn(path, opts.Synchronous, false) + "&_pragma=wal_autocheckpoint(0)"
	if !opts.NoAutoCheckpoint {
		writeDSN += "&_pragma=journal_size_limit(" + strconv.Itoa(restartBytes) + ")"
	}
	write := sql.OpenDB(db.writeConnector(writeDSN))
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	read, err := sql.Open("sqlite", dsn(path, opts.Synchronous, true))
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)

	// The writer holds its one connection for good (Tx). Before the writer
	// starts and after it stops, Open and Close use it themselves.
	conn, err := write.Conn(ctx)
	if err == nil {
		if err = conn.PingContext(ctx); err != nil {
			conn.Close()
		}
	}
	if err != nil {
		write.Close()
		read.Close()
		return nil, dbProblem(dir, path, fmt.Errorf("opening %s: %w", path, err))
	}
	db.write, db.writeConn, db.read, db.writeStmts = write, conn, &pool{DB: read, stmts: newStmtCache(read)}, newStmtCache(conn)
	if !opts.NoAutoCheckpoint {
		ckpt, err := sql.Open("sqlite", dsn(path, opts.Synchronous, false))
		if err != nil {
			db.closeConns()
			return nil, err
		}
		ckpt.SetMaxOpenConns(1)
		db.checkpoints = startCheckpointer(ckpt, path+"-wal")
	}
	if err := db.prepareMigrations(ctx); err != nil {
		db.closeConns()
		return nil, dbProblem(dir, path, err)
	}
	go db.runWriter()
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, dbProblem(dir, path, err)
	}
	return db, nil
}

// checkWritable makes sure files can be created and written in dir (SQLite
// creates its -wal and -shm files there, backups go below it), so that a
// read-only, forbidden or full directory is said plainly at start.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return dirProblem(dir, fmt.Errorf("creating data directory %s: %w", dir, err))
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return dirProblem(dir, err)
	}
	_, werr := f.Write([]byte{0})
	err = errors.Join(werr, f.Close(), os.Remove(f.Name()))
	if err != nil {
		return dirProblem(dir, err)
	}
	return nil
}

// dsn puts the pragmas in the connection string so every pooled connection
// gets them; busy_timeout first so the others can wait for a lock.
func dsn(path, synchronous string, readOnly bool) string {
	q := url.Values{}
	pragmas := []string{
		"busy_timeout(10000)",
		"journal_mode(WAL)",
		"synchronous(" + synchronous + ")",
		"foreign_keys(1)",
		"temp_store(MEMORY)",
		"cache_size(-16000)",
	}
	if readOnly {
		pragmas = append(pragmas, "query_only(1)")
	}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if !readOnly {
		q.Set("_txlock", "immediate") // take the write lock at BEGIN, not halfway through
	}
	// The path is part of a URI: '%', '#' and '?' in a directory name (a Go
	// fuzz seed's temp dir is ".../FuzzIngestseed#0…") would otherwise end the
	// path early and drop every pragma.
	escaped := strings.NewReplacer("%", "%25", "#", "%23", "?", "%3F").Replace(filepath.ToSlash(path))
	return "file:" + escaped + "?" + q.Encode()
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Close stops the writer after the batch in progress and closes both pools.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closing) })
	<-db.writerDone
	// Let SQLite refresh the statistics its query planner uses, as its
	// documentation advises before closing a long-lived connection.
	_, _ = db.writeConn.ExecContext(context.Background(), `PRAGMA analysis_limit = 400; PRAGMA optimize`)
	return db.closeConns()
}

// closeConns closes the checkpointer, the statements and every connection.
func (db *DB) closeConns() error {
	cerr := db.checkpoints.close()
	db.read.stmts.close()
	db.writeStmts.close()
	return errors.Join(cerr, db.writeConn.Close(), db.read.Close(), db.write.Close())
}

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }

// prepareMigrations makes sure the migrations table exists and that no newer
// paygate wrote the database; it runs before the writer starts, on its connection.
func (db *DB) prepareMigrations(ctx context.Context) error {
	if _, err := db.writeConn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	_, known, err := migrationList()
	if err != nil {
		return err
	}
	return db.refuseNewerSchema(ctx, known)
}

type migration struct {
	version int
	name    string
}

// migrationList is the embedded migrations in order, and their versions.
func migrationList() ([]migration, map[int]bool, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	migrations := make([]migration, 0, len(entries))
	known := make(map[int]bool, len(entries))
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, nil, fmt.Errorf("migration %s: name must start with a number and '_'", e.Name())
		}
		migrations = append(migrations, migration{version, e.Name()})
		known[version] = true
	}
	return migrations, known, nil
}

// migrate applies the migrations the database does not have yet. All run
// in one transaction: a fresh database is created with one fsync rather
// than one per migration (a quarter of a cold start went there), and a
// failed migration leaves none applied.
func (db *DB) migrate(ctx context.Context) error {
	migrations, _, err := migrationList()
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *Tx) error {
		for _, m := range migrations {
			version, name := m.version, m.name
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			body, err := migrationFiles.ReadFile("migrations/" + name)
			if err != nil {
				return err
			}
			if _, err := tx.execOnce(string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				version, name, db.now().UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
}

// refuseNewerSchema: a database with migrations this binary does not have
// was written by a newer paygate, whose tables this one would misuse.
func (db *DB) refuseNewerSchema(ctx context.Context, known map[int]bool) error {
	rows, err := db.writeConn.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var unknown []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return err
		}
		if !known[v] {
			unknown = append(unknown, v)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(unknown) > 0 {
		return newerSchema(db.path, unknown)
	}
	return nil
}

// count counts the rows of query, stopping at limit+1 when limit > 0.
func (db *DB) count(ctx context.Context, query string, args []any, limit int) (int, error) {
	var n int
	if limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(limit+1)
	}
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (`+query+`)`, args...).Scan(&n)
	return n, err
}

// Helpers for times stored as unix milliseconds.

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v) }

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}

func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}
