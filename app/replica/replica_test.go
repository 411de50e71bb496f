package replica

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	_ "modernc.org/sqlite"

	"paygate/app"
)

var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))

// testDB is a WAL database with one table, written as paygate writes it.
type testDB struct {
	path string
	db   *sql.DB
}

func newDB(t *testing.T, dir string) *testDB {
	t.Helper()
	path := filepath.Join(dir, "paygate.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, note TEXT)`); err != nil {
		t.Fatal(err)
	}
	return &testDB{path: path, db: db}
}

func (d *testDB) insert(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		// Each row differs, as real orders do: two machines' histories never
		// happen to be the same bytes.
		if _, err := d.db.Exec(`INSERT INTO orders (note) VALUES (hex(randomblob(8)))`); err != nil {
			t.Fatal(err)
		}
	}
}

func count(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM orders`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// start opens the database's replication as the server does: Litestream
// first, then the app's connections.
func start(t *testing.T, dir string, s app.ReplicaSettings) (*Replicator, *testDB, error) {
	t.Helper()
	d := newDB(t, dir) // creates the file and the table
	d.db.Close()
	r, err := Start(context.Background(), d.path, s, Options{SyncInterval: 200 * time.Millisecond, Logger: quiet})
	if err != nil {
		return r, nil, err
	}
	return r, newDB(t, dir), nil
}

// stop closes the app's connections, then Litestream.
func stop(t *testing.T, r *Replicator, d *testDB) {
	t.Helper()
	d.db.Close()
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func waitInSync(t *testing.T, r *Replicator) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		st := r.State()
		if st.Running && st.LocalTXID > 0 && st.ReplicaTXID >= st.LocalTXID && st.Lag == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica never caught up: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func restore(t *testing.T, s app.ReplicaSettings, at time.Time) (string, Restored) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "restored.db")
	res, err := Restore(context.Background(), s, out, at, quiet)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	return out, res
}

// targets are a file:// replica and an in-process S3-compatible server.
func targets(t *testing.T) map[string]func() app.ReplicaSettings {
	t.Setenv("AWS_CA_BUNDLE", "") // set on this machine; the S3 client cannot take it
	return map[string]func() app.ReplicaSettings{
		"file": func() app.ReplicaSettings {
			return app.ReplicaSettings{URL: "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "replica"))}
		},
		"s3": func() app.ReplicaSettings {
			srv := httptest.NewServer(gofakes3.New(s3mem.New(), gofakes3.WithAutoBucket(true), gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
			t.Cleanup(srv.Close)
			return app.ReplicaSettings{URL: "s3://paygate-backup/shop", Endpoint: srv.URL, Region: "us-east-1", AccessKeyID: "k", SecretAccessKey: "s"}
		},
	}
}

func TestReplicateRestoreAndPointInTime(t *testing.T) {
	for name, target := range targets(t) {
		t.Run(name, func(t *testing.T) {
			s := target()
			r, d, err := start(t, t.TempDir(), s)
			if err != nil {
				t.Fatal(err)
			}
			d.insert(t, 10)
			waitInSync(t, r)
			time.Sleep(1100 * time.Millisecond) // LTX times have millisecond precision; keep the batches apart
			between := time.Now()
			time.Sleep(1100 * time.Millisecond)
			d.insert(t, 5)
			waitInSync(t, r)
			if st := r.State(); st.LastSyncAt.IsZero() || st.Error != "" || st.Behind {
				t.Fatalf("state in sync: %+v", st)
			}
			stop(t, r, d)

			out, res := restore(t, s, time.Time{})
			if n := count(t, out); n != 15 {
				t.Fatalf("restored %d orders, want 15", n)
			}
			if res.TXID == 0 || res.TXID != res.Newest {
				t.Fatalf("restore of the newest: %+v", res)
			}
			out, res = restore(t, s, between)
			if n := count(t, out); n != 10 {
				t.Fatalf("restored at %s: %d orders, want 10", between, n)
			}
			if res.TXID >= res.Newest {
				t.Fatalf("point-in-time restore says newest: %+v", res)
			}
		})
	}
}

// A replica another paygate moved ahead is never overwritten by the old
// database; a fresh database is not started on a replica with data either.
func TestRefusesReplicaAhead(t *testing.T) {
	for name, target := range targets(t) {
		t.Run(name, func(t *testing.T) {
			s := target()
			oldDir := t.TempDir()
			r, d, err := start(t, oldDir, s)
			if err != nil {
				t.Fatal(err)
			}
			d.insert(t, 3)
			waitInSync(t, r)
			stop(t, r, d)

			// The new machine: restored from the replica, carries on writing to it.
			newDir := t.TempDir()
			out, res := restore(t, s, time.Time{})
			if err := os.Rename(out, filepath.Join(newDir, "paygate.db")); err != nil {
				t.Fatal(err)
			}
			if err := MarkRestored(filepath.Join(newDir, "paygate.db"), s, res.TXID, time.Now()); err != nil {
				t.Fatal(err)
			}
			r2, d2, err := start(t, newDir, s)
			if err != nil {
				t.Fatalf("the restored database may continue its replica: %v", err)
			}
			d2.insert(t, 4)
			waitInSync(t, r2)
			stop(t, r2, d2)
			out, _ = restore(t, s, time.Time{})
			if n := count(t, out); n != 7 {
				t.Fatalf("after the fail-over the replica has %d orders, want 7", n)
			}

			// The old machine comes back: refused, replica untouched.
			r3, _, err := start(t, oldDir, s)
			if !errors.Is(err, ErrReplicaAhead) || app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err, "zh"), "paygate restore --from-replica") {
				t.Fatalf("old database on a replica ahead of it: %v", err)
			}
			if st := r3.State(); !st.Refused || st.Running {
				t.Fatalf("state of a refused start: %+v", st)
			}
			r3.Close(context.Background())
			// A fresh, empty database: refused too.
			if _, _, err := start(t, t.TempDir(), s); !errors.Is(err, ErrReplicaAhead) {
				t.Fatalf("empty database on a replica with data: %v", err)
			}
			out, _ = restore(t, s, time.Time{})
			if n := count(t, out); n != 7 {
				t.Fatalf("after the refusals the replica has %d orders, want 7", n)
			}
		})
	}
}

// Moving to a new, empty replica starts it afresh with a snapshot, even
// though the local Litestream files belong to the old one.
func TestSwitchToNewReplica(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	dir := t.TempDir()
	first := app.ReplicaSettings{URL: "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "one"))}
	r, d, err := start(t, dir, first)
	if err != nil {
		t.Fatal(err)
	}
	d.insert(t, 5)
	waitInSync(t, r)
	stop(t, r, d)

	second := app.ReplicaSettings{URL: "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "two"))}
	r, d, err = start(t, dir, second)
	if err != nil {
		t.Fatal(err)
	}
	d.insert(t, 2)
	waitInSync(t, r)
	stop(t, r, d)
	out, _ := restore(t, second, time.Time{})
	if n := count(t, out); n != 7 {
		t.Fatalf("new replica restored %d orders, want 7", n)
	}
}

// An unreachable replica does not stop paygate: the state says why, and
// replication starts once it answers.
func TestUnreachableReplicaRetries(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	faker := gofakes3.New(s3mem.New(), gofakes3.WithAutoBucket(true), gofakes3.WithLogger(gofakes3.DiscardLog()))
	srv := httptest.NewUnstartedServer(faker.Server())
	addr := srv.Listener.Addr().String()
	s := app.ReplicaSettings{URL: "s3://b/p", Endpoint: "http://" + addr, Region: "us-east-1", AccessKeyID: "k", SecretAccessKey: "s"}
	r, d, err := start(t, t.TempDir(), s)
	if err != nil {
		t.Fatalf("unreachable replica stopped the start: %v", err)
	}
	st := r.State()
	if !st.On || st.Running || st.Error == "" {
		t.Fatalf("state while unreachable: %+v", st)
	}
	started := make(chan struct{})
	r.OnRunning(func() { close(started) }) // paygate leaves checkpoints to Litestream then
	srv.Start()
	defer srv.Close()
	d.insert(t, 2)
	deadline := time.Now().Add(20 * time.Second)
	for !r.State().Running {
		if time.Now().After(deadline) {
			t.Fatalf("replication never started: %+v", r.State())
		}
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("OnRunning was not called when the retry started Litestream")
	}
	waitInSync(t, r)
	stop(t, r, d)
	out, _ := restore(t, s, time.Time{})
	if n := count(t, out); n != 2 {
		t.Fatalf("restored %d orders, want 2", n)
	}
}

func TestAWSCABundleIsExplained(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "/etc/ssl/custom.pem")
	_, err := newClient(app.ReplicaSettings{URL: "s3://b/p", Endpoint: "https://oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "k", SecretAccessKey: "s"})
	if !errors.Is(err, ErrCABundle) || !strings.Contains(app.ErrorMessage(err, "zh"), "AWS_CA_BUNDLE") || !strings.Contains(app.ErrorMessage(err, "en"), "UnsetEnvironment=AWS_CA_BUNDLE") {
		t.Fatalf("AWS_CA_BUNDLE: %v", err)
	}
}

// fakeS3 is an in-process S3-compatible server on a fixed address that can
// go down and come back with its data.
type fakeS3 struct {
	t       *testing.T
	addr    string
	handler http.Handler
	srv     *httptest.Server
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeS3{t: t, addr: l.Addr().String(),
		handler: gofakes3.New(s3mem.New(), gofakes3.WithAutoBucket(true), gofakes3.WithLogger(gofakes3.DiscardLog())).Server()}
	f.serve(l)
	t.Cleanup(func() { f.down() })
	return f
}

func (f *fakeS3) serve(l net.Listener) {
	f.srv = httptest.NewUnstartedServer(f.handler)
	f.srv.Listener.Close()
	f.srv.Listener = l
	f.srv.Start()
}

func (f *fakeS3) down() {
	if f.srv != nil {
		f.srv.CloseClientConnections()
		f.srv.Close()
		f.srv = nil
	}
}

func (f *fakeS3) up() {
	l, err := net.Listen("tcp", f.addr)
	if err != nil {
		f.t.Fatal(err)
	}
	f.serve(l)
}

func (f *fakeS3) settings() app.ReplicaSettings {
	return app.ReplicaSettings{URL: "s3://paygate-backup/shop", Endpoint: "http://" + f.addr, Region: "us-east-1", AccessKeyID: "k", SecretAccessKey: "s"}
}

// restoreInto rebuilds dir from the replica as paygate restore --from-replica does.
func restoreInto(t *testing.T, s app.ReplicaSettings, dir string) {
	t.Helper()
	out, res := restore(t, s, time.Time{})
	if err := os.Rename(out, filepath.Join(dir, "paygate.db")); err != nil {
		t.Fatal(err)
	}
	if err := MarkRestored(filepath.Join(dir, "paygate.db"), s, res.TXID, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// The old machine comes back with batches it never shipped, numbered like
// the ones the new machine shipped since: the numbers alone would let it
// write on and mix two histories in the replica.
func TestRefusesDivergedHistory(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	s3 := newFakeS3(t)
	s := s3.settings()
	r, d, err := start(t, t.TempDir(), s)
	if err != nil {
		t.Fatal(err)
	}
	d.insert(t, 3)
	waitInSync(t, r)
	stop(t, r, d)

	// The old machine: ships what it had, then the bucket is cut off while it
	// goes on taking orders, and it dies.
	oldDir := t.TempDir()
	restoreInto(t, s, oldDir)
	r, d, err = start(t, oldDir, s)
	if err != nil {
		t.Fatal(err)
	}
	waitInSync(t, r)
	s3.down()
	for i := 0; i < 30; i++ {
		d.insert(t, 1)
		time.Sleep(50 * time.Millisecond)
	}
	d.db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	_ = r.Close(ctx) // the last sync cannot reach the bucket
	cancel()
	s3.up()
	oldLocal, _, _ := localPosition(filepath.Join(oldDir, "paygate.db"), s.Identity())

	// The new machine takes over from the replica and ships a little.
	newDir := t.TempDir()
	restoreInto(t, s, newDir)
	r, d, err = start(t, newDir, s)
	if err != nil {
		t.Fatalf("fail-over start: %v", err)
	}
	d.insert(t, 1)
	waitInSync(t, r)
	stop(t, r, d)
	out, _ := restore(t, s, time.Time{})
	want := count(t, out)

	client, _ := newClient(s)
	remote, _, _ := remotePosition(context.Background(), client)
	if oldLocal < remote {
		t.Fatalf("the old machine cut %d batches, the replica holds %d: not the case under test", oldLocal, remote)
	}

	_, _, err = start(t, oldDir, s)
	if !errors.Is(err, ErrReplicaAhead) || !strings.Contains(app.ErrorMessage(err, "en"), "is not this database's batch") {
		t.Fatalf("old machine (batch %d) on a replica another one wrote to (batch %d): %v", oldLocal, remote, err)
	}
	out, _ = restore(t, s, time.Time{})
	if n := count(t, out); n != want {
		t.Fatalf("the replica changed after the refusal: %d orders, want %d", n, want)
	}
}

// A writer committing back to back on its one connection (a busy shop, as
// paygate's writer) that waits for Litestream's checkpoints before each
// transaction leaves them their turn: the WAL is checkpointed again and
// again, and the replica never stands still for long. Without the wait the
// checkpoint's barrier starves on the write lock and replication stops.
func TestBusyWriterLeavesCheckpointsTheirTurn(t *testing.T) {
	s := app.ReplicaSettings{URL: "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "replica"))}
	dir := t.TempDir()
	r, d, err := start(t, dir, s)
	if err != nil {
		t.Fatal(err)
	}
	d.db.Close()
	w, err := sql.Open("sqlite", "file:"+d.path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	d.db = w
	waitInSync(t, r)

	const busyFor = 4 * time.Second
	stopWriting := make(chan struct{})
	written := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stopWriting:
				written <- n
				return
			default:
			}
			r.WaitForCheckpoint()
			tx, err := w.Begin()
			if err != nil {
				t.Error(err)
				written <- n
				return
			}
			// About a page a row: the WAL passes Litestream's 1,000-page
			// checkpoint size every second or so.
			if _, err := tx.Exec(`INSERT INTO orders (note) VALUES (hex(randomblob(2000)))`); err != nil {
				t.Error(err)
			}
			if err := tx.Commit(); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	began := time.Now()
	var last uint64
	var longest time.Duration
	moved := began
	for time.Since(began) < busyFor {
		st := r.State()
		if st.ReplicaTXID != last {
			last, moved = st.ReplicaTXID, time.Now()
		}
		longest = max(longest, time.Since(moved))
		time.Sleep(10 * time.Millisecond)
	}
	close(stopWriting)
	n := <-written
	wal, _ := os.Stat(d.path + "-wal")
	t.Logf("%d transactions in %s; the replica stood still %s at most; WAL %d bytes at the end", n, busyFor, longest.Round(time.Millisecond), wal.Size())
	if n < 500 {
		t.Fatalf("only %d transactions: too few to tell", n)
	}
	if longest > time.Second {
		t.Errorf("the replica stood still for %s under a busy writer (sync interval 200ms)", longest.Round(time.Millisecond))
	}
	if wal.Size() > 40<<20 {
		t.Errorf("WAL grew to %d bytes: Litestream's checkpoints did not get their turn", wal.Size())
	}
	waitInSync(t, r)
	stop(t, r, d)
}
