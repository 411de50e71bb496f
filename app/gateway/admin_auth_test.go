package gateway

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/store/storetest"
	"paygate/app/testclock"
)

func newAuthGateway(t *testing.T, dir string, c *testclock.Clock) *Gateway {
	t.Helper()
	return New(storetest.OpenDir(t, dir, c), quietNotifier{}, Options{})
}

func TestReserveTakesOneTokenPerParallelTry(t *testing.T) {
	th := newLoginThrottle()
	now := time.Now()
	var granted atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if th.reserve(strangerBuckets("203.0.113."+string(rune('a'+i%26)), "admin"), now) == 0 {
				granted.Add(1)
			}
		}()
	}
	wg.Wait()
	if granted.Load() != 5 {
		t.Fatalf("%d of 40 parallel tries were let through; the account allows 5", granted.Load())
	}
}

func TestLoginThrottleBuckets(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name  string
		tries func(th *loginThrottle) time.Duration // the wait of the last try
		want  time.Duration
	}{
		{"five strangers' tries, then the account waits 2 minutes", func(th *loginThrottle) time.Duration {
			for i := range 5 {
				th.reserve(strangerBuckets("198.51.100."+string(rune('1'+i)), "admin"), start)
			}
			return th.reserve(strangerBuckets("198.51.100.99", "admin"), start)
		}, 2 * time.Minute},
		{"one try comes back every 2 minutes", func(th *loginThrottle) time.Duration {
			for range 5 {
				th.reserve(strangerBuckets("198.51.100.1", "admin"), start)
			}
			return th.reserve(strangerBuckets("198.51.100.2", "admin"), start.Add(2*time.Minute))
		}, 0},
		{"twenty tries per IP over many accounts", func(th *loginThrottle) time.Duration {
			for i := range 20 {
				th.reserve(strangerBuckets("198.51.100.1", "user"+string(rune('a'+i))), start)
			}
			return th.reserve(strangerBuckets("198.51.100.1", "another"), start)
		}, time.Minute},
		{"a known browser is not judged by the account's bucket", func(th *loginThrottle) time.Duration {
			for i := range 5 {
				th.reserve(strangerBuckets("198.51.100."+string(rune('1'+i)), "admin"), start)
			}
			return th.reserve(knownDeviceBucket("dev1"), start)
		}, 0},
		{"nor is the owner's address", func(th *loginThrottle) time.Duration {
			for i := range 5 {
				th.reserve(strangerBuckets("198.51.100."+string(rune('1'+i)), "admin"), start)
			}
			return th.reserve(ownerIPBucket("admin", "192.0.2.7"), start)
		}, 0},
		{"a known browser has its own limit", func(th *loginThrottle) time.Duration {
			for range 5 {
				th.reserve(knownDeviceBucket("dev1"), start)
			}
			return th.reserve(knownDeviceBucket("dev1"), start)
		}, 2 * time.Minute},
		{"a refused try takes nothing from the other bucket", func(th *loginThrottle) time.Duration {
			for i := range 5 {
				th.reserve(strangerBuckets("198.51.100.1", "acct"+string(rune('a'+i))), start)
			}
			for i := range 5 {
				th.reserve(strangerBuckets("198.51.100."+string(rune('2'+i)), "admin"), start)
			}
			for range 30 { // refused by the admin bucket: the IP keeps its tokens
				th.reserve(strangerBuckets("198.51.100.1", "admin"), start)
			}
			return th.reserve(strangerBuckets("198.51.100.1", "other"), start)
		}, 0},
		{"success gives the account's try back and forgets the client's failures", func(th *loginThrottle) time.Duration {
			for range 4 {
				th.reserve(strangerBuckets("198.51.100.1", "admin"), start)
			}
			b := strangerBuckets("198.51.100.1", "admin")
			th.reserve(b, start)
			th.succeed(b, start)
			return th.reserve(strangerBuckets("198.51.100.2", "admin"), start)
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tries(newLoginThrottle()); got != tt.want {
				t.Fatalf("wait %v, want %v", got, tt.want)
			}
		})
	}
}

// The owner signs in through the first-run form; then strangers use up the
// account's tries. The owner's browser (its known-device cookie) and the
// owner's address still get in; a forged, foreign or expired cookie does not help.
func TestLoginKnownClientsSurviveAStrangersLockout(t *testing.T) {
	ctx := context.Background()
	c := testclock.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	g := newAuthGateway(t, t.TempDir(), c)
	const pw = "correct-horse-42"
	first, err := g.SetupAdmin(ctx, SetupRequest{Username: "Admin", Password: pw, Confirm: pw, Local: true,
		Client: LoginClient{RemoteIP: "192.0.2.7"}})
	if err != nil || first.Token == "" || first.Device == "" {
		t.Fatalf("setup: %+v %v", first, err)
	}
	login := func(cl LoginClient, password string) error {
		_, err := g.Login(ctx, LoginRequest{Username: "Admin", Password: password, Client: cl})
		return err
	}
	for i := range 5 {
		if err := login(LoginClient{RemoteIP: "203.0.113." + string(rune('1'+i))}, "guess"); app.ErrorCode(err) != app.EUNAUTHORIZED {
			t.Fatalf("stranger's try %d: %v, want a wrong-password answer", i+1, err)
		}
	}
	err = login(LoginClient{RemoteIP: "203.0.113.9"}, pw)
	if app.ErrorCode(err) != app.ERATELIMIT || !strings.Contains(app.ErrorMessage(err, "zh"), "2 分钟") {
		t.Fatalf("an unknown client while the account is locked: %v", err)
	}

	other := newAuthGateway(t, t.TempDir(), c) // another paygate: its own secret
	foreign, _ := other.knownDeviceCookie(ctx, "admin", "dev-x", c.Now())
	forgedMAC := first.Device[:strings.Index(first.Device, ".")] + ".AAAA"
	otherAccount, _ := g.knownDeviceCookie(ctx, "someone", "dev-y", c.Now())
	for _, device := range []string{foreign, forgedMAC, otherAccount, "garbage"} {
		if err := login(LoginClient{RemoteIP: "203.0.113.10", Device: device}, pw); app.ErrorCode(err) != app.ERATELIMIT {
			t.Fatalf("device cookie %q counted as known: %v", device, err)
		}
	}
	if err := login(LoginClient{RemoteIP: "203.0.113.11", Device: first.Device}, pw); err != nil {
		t.Fatalf("the owner's browser on a new network: %v", err)
	}
	if err := login(LoginClient{RemoteIP: "192.0.2.7"}, pw); err != nil {
		t.Fatalf("a browser at the owner's address: %v", err)
	}

	// The secret survives a restart: the same browser is still known.
	restarted := &Gateway{db: g.db, throttle: newLoginThrottle(), log: g.log}
	if _, known, err := restarted.knownDevice(ctx, first.Device, "admin", c.Now()); err != nil || !known {
		t.Fatalf("after a restart the known-device cookie is not recognised: %v %v", known, err)
	}
	c.Add(KnownDeviceLifetime + time.Hour)
	if _, known, _ := g.knownDevice(ctx, first.Device, "admin", c.Now()); known {
		t.Fatal("an expired known-device cookie is still recognised")
	}
	if known, _ := g.db.KnownLoginIP(ctx, first.Session.Admin.ID, "192.0.2.7", c.Now().Add(-ownerIPMemory)); known {
		t.Fatal("an address last used a year ago is still known")
	}
}

func TestFormTokensAreBoundAndSigned(t *testing.T) {
	ctx := context.Background()
	c := testclock.New(time.Now())
	dir := t.TempDir()
	g := newAuthGateway(t, dir, c)
	session := SessionBinding(app.Session{TokenHash: hashToken("session-token")})
	visitor := VisitorBinding("visitor-cookie-0123456789")
	tok, err := g.FormToken(ctx, session)
	if err != nil {
		t.Fatal(err)
	}
	other := newAuthGateway(t, t.TempDir(), c)
	foreign, _ := other.FormToken(ctx, session)
	tests := []struct {
		name    string
		binding string
		token   string
		want    bool
	}{
		{"the session's own token", session, tok, true},
		{"another session's", SessionBinding(app.Session{TokenHash: hashToken("other")}), tok, false},
		{"the session's token as a visitor's", visitor, tok, false},
		{"the cookie value itself", visitor, "visitor-cookie-0123456789", false},
		{"made with another paygate's secret", session, foreign, false},
		{"empty", session, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, err := g.ValidFormToken(ctx, tt.binding, tt.token); err != nil || ok != tt.want {
				t.Fatalf("valid = %v (%v), want %v", ok, err, tt.want)
			}
		})
	}
}
