package store

import (
	"context"
	"strconv"
	"testing"
	"time"

	"paygate/app"
)

func TestLoginIPsRememberedKeptAndForgottenOnReset(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	a, err := db.CreateFirstAdmin(ctx, "admin", "hash")
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	for i := range 7 { // 192.0.2.0 … 192.0.2.6, one a minute
		clock.Add(time.Minute)
		s := app.Session{TokenHash: "h" + strconv.Itoa(i), Admin: a, CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour),
			RemoteIP: "192.0.2." + strconv.Itoa(i)}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		ip    string
		since time.Time
		want  bool
	}{
		{"the latest", "192.0.2.6", start, true},
		{"the fifth latest", "192.0.2.2", start, true},
		{"only five are kept", "192.0.2.1", start, false},
		{"never seen", "203.0.113.1", start, false},
		{"too long ago", "192.0.2.2", clock.Now(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := db.KnownLoginIP(ctx, a.ID, tt.ip, tt.since); err != nil || got != tt.want {
				t.Fatalf("KnownLoginIP(%s) = %v, %v; want %v", tt.ip, got, err, tt.want)
			}
		})
	}
	if _, err := db.ResetAdmin(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.KnownLoginIP(ctx, a.ID, "192.0.2.6", start); got {
		t.Fatal("reset-admin kept the old owner's addresses")
	}
}

func TestSecretSettingIsMadeOnce(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	first, err := db.SecretSetting(ctx, "security.test_secret", "one")
	if err != nil || first != "one" {
		t.Fatalf("first use: %q %v", first, err)
	}
	if again, err := db.SecretSetting(ctx, "security.test_secret", "two"); err != nil || again != "one" {
		t.Fatalf("second use: %q %v, want the stored one", again, err)
	}
}
