package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/console"
)

// fakeReplication answers Check with err and counts the checks; its state
// is state, or just on/off by running.
type fakeReplication struct {
	running app.ReplicaSettings
	err     error
	checked []app.ReplicaSettings
	state   *console.ReplicaState
}

func (f *fakeReplication) State() console.ReplicaState {
	if f.state != nil {
		return *f.state
	}
	return console.ReplicaState{On: f.running.On()}
}
func (f *fakeReplication) Settings() app.ReplicaSettings { return f.running }
func (f *fakeReplication) Check(_ context.Context, s app.ReplicaSettings) error {
	f.checked = append(f.checked, s)
	return f.err
}

func newReplicaGateway(t *testing.T, rep Replication, config app.ReplicaSettings, pinned map[string]app.Source) *Gateway {
	t.Helper()
	db := openSettingsDB(t, t.TempDir())
	return New(db, quietNotifier{}, Options{Defaults: configDefaults, Pinned: pinned, Replication: rep, ReplicaConfig: config,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func TestSaveReplica(t *testing.T) {
	ctx := context.Background()
	rep := &fakeReplication{}
	g := newReplicaGateway(t, rep, app.ReplicaSettings{}, nil)
	form := console.ReplicaForm{URL: " s3://bucket/paygate ", Endpoint: "https://oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "id", SecretAccessKey: "secret-1"}
	sec, err := g.SaveReplica(ctx, form, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.checked) != 1 || rep.checked[0].URL != "s3://bucket/paygate" || rep.checked[0].SecretAccessKey != "secret-1" {
		t.Fatalf("checked %+v", rep.checked)
	}
	if !sec.Restart || !sec.SecretSaved || sec.Settings.SecretAccessKey != "" || sec.Sources["replica.url"].Kind != app.SourceConsole {
		t.Fatalf("section after save: %+v", sec)
	}

	// The form never shows the secret: saved again without one keeps it.
	form.SecretAccessKey, form.Region = "", "cn-hangzhou"
	if _, err := g.SaveReplica(ctx, form, "admin"); err != nil {
		t.Fatal(err)
	}
	if got := rep.checked[1]; got.SecretAccessKey != "secret-1" || got.Region != "cn-hangzhou" {
		t.Fatalf("second save checked %+v", got)
	}

	// A replica that does not answer, or holds newer data, is not saved.
	rep.err = app.NewError(app.EUNAVAILABLE, "replica.url", "连不上", "unreachable")
	if _, err := g.SaveReplica(ctx, console.ReplicaForm{URL: "s3://other/p", AccessKeyID: "a", SecretAccessKey: "b"}, "admin"); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Fatalf("unreachable replica: %v", err)
	}
	if sec, _ := g.ReplicaSection(ctx); sec.Settings.URL != "s3://bucket/paygate" {
		t.Fatalf("a refused save changed the settings: %+v", sec.Settings)
	}
	// Bad settings are refused before any check.
	checks := len(rep.checked)
	if _, err := g.SaveReplica(ctx, console.ReplicaForm{URL: "sftp://u@h/p", KeyFile: "/k"}, "admin"); app.ErrorField(err) != "replica.host_key" || len(rep.checked) != checks {
		t.Fatalf("SFTP without a host key: %v (checks %d → %d)", err, checks, len(rep.checked))
	}

	// An empty address turns it off and forgets the secret.
	rep.err = nil
	sec, err = g.SaveReplica(ctx, console.ReplicaForm{}, "admin")
	if err != nil || sec.Settings.On() || sec.SecretSaved || sec.Restart {
		t.Fatalf("turned off: %v %+v", err, sec)
	}
	audit, _, err := g.db.AuditLog(ctx, app.AuditFilter{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range audit {
		if e.Action == app.AuditReplica {
			n++
			if e.Detail == "" || strings.Contains(e.Detail, "secret-1") {
				t.Fatalf("audit detail %q", e.Detail)
			}
		}
	}
	if n != 3 {
		t.Fatalf("%d replica changes audited, want 3", n)
	}
}

func TestSaveReplicaPinned(t *testing.T) {
	pinned := map[string]app.Source{"replica.url": {Kind: app.SourceEnv, Name: "PAYGATE_REPLICA_URL"}}
	config := app.ReplicaSettings{URL: "file:///mnt/backup/paygate"}
	rep := &fakeReplication{running: config}
	g := newReplicaGateway(t, rep, config, pinned)
	_, err := g.SaveReplica(context.Background(), console.ReplicaForm{URL: "file:///elsewhere"}, "admin")
	var e *app.Error
	if !errors.As(err, &e) || e.Code != app.ECONFLICT || len(rep.checked) != 0 {
		t.Fatalf("saving over a pinned replica: %v", err)
	}
	sec, err := g.ReplicaSection(context.Background())
	if err != nil || !sec.Pinned("replica.url") || sec.Settings.URL != config.URL || sec.Restart {
		t.Fatalf("section: %v %+v", err, sec)
	}
}

// A replica falling behind opens one replication incident however often it
// is checked, worded with how far behind and why; caught up, it clears. Not
// running at all and refusing a replica ahead of the database are incidents
// too, each saying so.
func TestReplicaBehindAlert(t *testing.T) {
	ctx := context.Background()
	last := time.Date(2026, 11, 26, 13, 58, 30, 0, app.Shanghai)
	inSync := console.ReplicaState{On: true, Running: true, Target: "s3://bucket/paygate @ https://oss-cn-hangzhou.aliyuncs.com",
		LastSyncAt: last, LocalTXID: 40, ReplicaTXID: 40}
	rep := &fakeReplication{running: app.ReplicaSettings{URL: "s3://bucket/paygate"}, state: &inSync}
	g, _ := newConnectGateway(t, Options{Replication: rep})

	openText := func() string {
		t.Helper()
		open, err := g.db.OpenIncidents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, inc := range open {
			if inc.Kind == app.AlertReplicaBehind {
				return inc.Text
			}
		}
		return ""
	}

	check(t, g, 2)
	if q := queued(t, g); len(q) != 0 {
		t.Fatalf("a replica in step raised %v", q)
	}
	behind := inSync
	behind.LocalTXID, behind.Lag, behind.Behind = 52, 90*time.Second, true
	behind.Error, behind.ErrorAt = "operation error S3: PutObject, https response error StatusCode: 403, AccessDenied", last
	rep.state = &behind
	check(t, g, 3)
	if q := strings.Join(queued(t, g), "; "); q != "open replica_behind " {
		t.Fatalf("behind: %q", q)
	}
	text := openText()
	for _, want := range []string{"落后 1m30s", "13:58:30", "AccessDenied", "1m30s behind", "oss-cn-hangzhou"} {
		if !strings.Contains(text, want) {
			t.Errorf("alert text lacks %q:\n%s", want, text)
		}
	}
	if zh, en, ok := strings.Cut(text, "\n"); !ok || !strings.Contains(zh, "副本") || !strings.Contains(en, "replica") {
		t.Errorf("alert text is not Chinese, a newline, English: %q", text)
	}

	rep.state = &inSync
	check(t, g, 2)
	if q := strings.Join(queued(t, g), "; "); q != "resolved replica_behind " {
		t.Fatalf("caught up: %q", q)
	}
	if openText() != "" {
		t.Fatal("incident still open after catching up")
	}

	// Each on a gateway of its own: a blip would reopen the incident above.
	for name, st := range map[string]console.ReplicaState{
		"not running": {On: true, Target: "file:///mnt/usb/paygate", Behind: true, Error: "mkdir /mnt/usb/paygate: read-only file system"},
		"refused":     {On: true, Target: "file:///mnt/usb/paygate", Behind: true, Refused: true},
	} {
		rep := &fakeReplication{running: app.ReplicaSettings{URL: "file:///mnt/usb/paygate"}, state: &st}
		g, _ := newConnectGateway(t, Options{Replication: rep})
		check(t, g, 1)
		open, err := g.db.OpenIncidents(ctx)
		if err != nil || len(open) != 1 {
			t.Fatalf("%s: incidents %v %v", name, open, err)
		}
		want := map[string]string{"not running": "只在这台机器上", "refused": "拒绝覆盖"}[name]
		if text := open[0].Text; !strings.Contains(text, want) || !strings.Contains(text, "file:///mnt/usb/paygate") {
			t.Errorf("%s: alert text %q, want it to say %q", name, text, want)
		}
	}
}
