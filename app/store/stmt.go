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

type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool // writer queries to prepare once the connection is free
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// lookup returns a cached statement without preparing one. A miss is noted,
// so preparePending can prepare it later.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	s := c.m[query]
	c.mu.RUnlock()
	if s == nil {
		c.mu.Lock()
		if len(c.m)+len(c.pending) < maxCachedStatements {
			c.pending[query] = true
		}
		c.mu.Unlock()
	}
	return s
}

// preparePending prepares the statements lookup missed. The writer calls it
// between batches: preparing inside a transaction would wait for the one
// connection the transaction holds.
func (c *stmtCache) preparePending() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.pending {
		if s, err := c.db.Prepare(q); err == nil {
			c.m[q] = s
		}
		delete(c.pending, q)
	}
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
// Its statements run on the writer's context, whatever context the job
// passes: modernc interrupts a statement whose context ends, and SQLite then
// rolls back the whole transaction — every job of the batch — so a job, once
// started, must finish even if its caller has gone.
type Tx struct {
	*sql.Tx
	stmts  *stmtCache
	bound  map[string]*sql.Stmt // the cache's statements bound to this transaction, each once
	events *[]func(Observer)    // the running job's, for the observer (observe.go)
	days   *[]dayBump           // the running job's changes to the per-day counters (daily_stats.go)
}

// writerCtx is the context every statement of a write transaction runs on.
var writerCtx = context.Background()

// stmt returns query's prepared statement bound to tx. Binding allocates
// and registers a statement with database/sql's transaction, so it is done
// once per query and batch, not once per use: a batch of 100 orders runs
// each of its queries 100 times.
func (tx *Tx) stmt(query string) *sql.Stmt {
	if s := tx.bound[query]; s != nil {
		return s
	}
	s := tx.stmts.lookup(query)
	if s == nil {
		return nil
	}
	s = tx.Tx.StmtContext(writerCtx, s)
	if tx.bound == nil {
		tx.bound = map[string]*sql.Stmt{}
	}
	tx.bound[query] = s
	return s
}

func (tx *Tx) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	if s := tx.stmt(query); s != nil {
		return s.ExecContext(writerCtx, args...)
	}
	return tx.Tx.ExecContext(writerCtx, query, args...)
}

func (tx *Tx) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := tx.stmt(query); s != nil {
		return s.QueryContext(writerCtx, args...)
	}
	return tx.Tx.QueryContext(writerCtx, query, args...)
}

func (tx *Tx) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	if s := tx.stmt(query); s != nil {
		return s.QueryRowContext(writerCtx, args...)
	}
	return tx.Tx.QueryRowContext(writerCtx, query, args...)
}
