package store

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements are cached per query text: SQLite spends a third of a
// small transaction parsing SQL otherwise. database/sql keeps a statement
// per connection, so one cache serves the whole read pool, and the writer's
// transactions reuse the statements prepared on its single connection.

// maxCachedStatements bounds the cache; queries built from filters have few shapes.
const maxCachedStatements = 256

// preparer is the read pool (*sql.DB) or the writer's connection (*sql.Conn).
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

type stmtCache struct {
	db preparer
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db preparer) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for query, or nil when it cannot be
// cached (the caller then runs the query directly).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	s := c.m[query]
	c.mu.RUnlock()
	if s != nil {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s = c.m[query]; s != nil {
		return s
	}
	if len(c.m) >= maxCachedStatements {
		return nil
	}
	s, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.m[query] = s
	return s
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// pool is the read pool with cached statements.
type pool struct {
	*sql.DB
	stmts *stmtCache
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := p.stmts.get(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := p.stmts.get(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// Tx is a write transaction whose statements come from the writer's cache.
// It is a plain BEGIN IMMEDIATE … COMMIT on the writer's connection, which
// the writer holds for the life of the database, not a database/sql Tx: a
// Tx's statements are bound to it anew for every transaction, and each
// query on one starts a goroutine that watches the Tx's context — on a
// single writer, for every order (issue #18). Its statements run on the
// writer's context, whatever context the job passes: modernc interrupts a
// statement whose context ends, and SQLite then rolls back the whole
// transaction — every job of the batch — so a job, once started, must
// finish even if its caller has gone.
type Tx struct {
	conn   *sql.Conn
	stmts  *stmtCache
	events *[]func(Observer) // the running job's, for the observer (observe.go)
	days   *[]dayBump        // the running job's changes to the per-day counters (daily_stats.go)
}

// writerCtx is the context every statement of a write transaction runs on.
var writerCtx = context.Background()

// begin starts the write transaction, taking the write lock at once rather
// than halfway through.
func (tx *Tx) begin() error {
	_, err := tx.ExecContext(writerCtx, `BEGIN IMMEDIATE`)
	return err
}

// Commit commits the transaction. When the commit fails, SQLite may leave
// the transaction open: it is rolled back, so the connection is clean for
// the next one.
func (tx *Tx) Commit() error {
	_, err := tx.ExecContext(writerCtx, `COMMIT`)
	if err != nil {
		_ = tx.Rollback()
	}
	return err
}

// Rollback rolls the transaction back; an error when SQLite rolled it back
// already means nothing.
func (tx *Tx) Rollback() error {
	_, err := tx.ExecContext(writerCtx, `ROLLBACK`)
	return err
}

func (tx *Tx) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	if s := tx.stmts.get(writerCtx, query); s != nil {
		return s.ExecContext(writerCtx, args...)
	}
	return tx.conn.ExecContext(writerCtx, query, args...)
}

// Exec is ExecContext on the writer's context.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.ExecContext(writerCtx, query, args...)
}

// execOnce runs a statement without caching it (a one-off rebuild).
func (tx *Tx) execOnce(query string, args ...any) (sql.Result, error) {
	return tx.conn.ExecContext(writerCtx, query, args...)
}

func (tx *Tx) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := tx.stmts.get(writerCtx, query); s != nil {
		return s.QueryContext(writerCtx, args...)
	}
	return tx.conn.QueryContext(writerCtx, query, args...)
}

func (tx *Tx) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	if s := tx.stmts.get(writerCtx, query); s != nil {
		return s.QueryRowContext(writerCtx, args...)
	}
	return tx.conn.QueryRowContext(writerCtx, query, args...)
}
