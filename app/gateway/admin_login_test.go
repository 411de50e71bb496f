package gateway

import (
	"strings"
	"testing"
	"time"

	"paygate/app"
)

// The first-run form makes the one admin account: from this machine without
// a token, from elsewhere with the one-time token printed at start; strangers'
// failed logins before it (throttled) never stand in the owner's way.
func TestSetupAdmin(t *testing.T) {
	s := newShop(t)
	token, need, err := s.g.SetupToken(s.ctx)
	if err != nil || !need || len(token) < 12 {
		t.Fatalf("setup token: %q %v %v", token, need, err)
	}
	if again, _, _ := s.g.SetupToken(s.ctx); again != token {
		t.Fatal("the setup token changed before it was used")
	}
	for i := range 8 {
		_, err := s.g.Login(s.ctx, LoginRequest{Username: "admin", Password: "guess", Client: LoginClient{RemoteIP: "203.0.113.66"}})
		if (i >= 5) != (app.ErrorCode(err) == app.ERATELIMIT) {
			t.Fatalf("try %d of one stranger: %v", i+1, err)
		}
	}
	const pw = "我家小店2024开张"
	remote := LoginClient{RemoteIP: "203.0.113.66", UserAgent: strings.Repeat("u", 300)}
	tests := []struct {
		name        string
		req         SetupRequest
		code, field string
		mention     string
	}{
		{"from elsewhere without the token", SetupRequest{Password: pw, Confirm: pw, Client: remote}, app.EFORBIDDEN, "token", "setup token"},
		{"from elsewhere with a wrong token", SetupRequest{Password: pw, Confirm: pw, Token: token + "x", Client: remote}, app.EFORBIDDEN, "token", "setup token"},
		{"a username with a space", SetupRequest{Username: "shop owner", Password: pw, Confirm: pw, Local: true}, app.EINVALID, "username", "32"},
		{"a username of 33", SetupRequest{Username: strings.Repeat("u", 33), Password: pw, Confirm: pw, Local: true}, app.EINVALID, "username", "32"},
		{"a password of 7", SetupRequest{Password: "1234567", Confirm: "1234567", Local: true}, app.EINVALID, "password", "8"},
		{"a password of 73 bytes", SetupRequest{Password: strings.Repeat("p", 73), Confirm: strings.Repeat("p", 73), Local: true}, app.EINVALID, "password", "72"},
		{"a different confirmation", SetupRequest{Password: pw, Confirm: pw + "!", Local: true}, app.EINVALID, "confirm", "确认|confirmation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.g.SetupAdmin(s.ctx, tt.req)
			wantErr(t, err, tt.code, tt.field, tt.mention)
			if need, _ := s.g.NeedsSetup(s.ctx); !need {
				t.Fatal("a refused setup made the account")
			}
		})
	}
	res, err := s.g.SetupAdmin(s.ctx, SetupRequest{Username: "  ", Password: pw, Confirm: pw, Token: " " + token + " ", Client: remote})
	if err != nil || res.Session.Admin.Username != "admin" || res.Token == "" || res.Device == "" ||
		!res.Session.ExpiresAt.Equal(s.clock.Now().Add(SessionLifetime)) || len([]rune(res.Session.UserAgent)) > 200 {
		t.Fatalf("setup with the token from elsewhere: %+v %v", res, err)
	}
	if _, need, _ := s.g.SetupToken(s.ctx); need {
		t.Fatal("a setup token is still offered")
	}
	_, err = s.g.SetupAdmin(s.ctx, SetupRequest{Password: pw, Confirm: pw, Local: true})
	wantErr(t, err, app.ECONFLICT, "", "登录|log in")
}

func TestSessionsAndPasswordChange(t *testing.T) {
	s := newShop(t)
	const pw = "correct-horse-42"
	first, err := s.g.SetupAdmin(s.ctx, SetupRequest{Username: "Owner", Password: pw, Confirm: pw, Local: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.g.Login(s.ctx, LoginRequest{Username: " Owner ", Password: pw, Client: LoginClient{RemoteIP: "192.0.2.1", Device: first.Device}})
	if err != nil || second.Session.Admin.Username != "Owner" {
		t.Fatalf("login, the name in spaces: %+v %v", second, err)
	}
	for _, tt := range []struct{ name, token string }{{"no cookie", ""}, {"a cookie of 101", strings.Repeat("t", 101)}, {"an unknown cookie", "abc"}} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.g.Session(s.ctx, tt.token)
			wantErr(t, err, app.EUNAUTHORIZED, "", "登录|log in")
		})
	}
	sess, err := s.g.Session(s.ctx, first.Token)
	if err != nil || sess.Admin.Username != "Owner" {
		t.Fatalf("session: %+v %v", sess, err)
	}
	_, err = s.g.Login(s.ctx, LoginRequest{Username: "nobody", Password: pw, Client: LoginClient{RemoteIP: "192.0.2.1"}})
	wantErr(t, err, app.EUNAUTHORIZED, "password", "密码|password")

	for _, tt := range []struct {
		name        string
		req         ChangePasswordRequest
		field, ment string
	}{
		{"a wrong current password", ChangePasswordRequest{Current: "wrong", New: "new-password-1", Confirm: "new-password-1"}, "current", "当前密码|current password"},
		{"a short new one", ChangePasswordRequest{Current: pw, New: "short", Confirm: "short"}, "password", "8"},
		{"a different confirmation", ChangePasswordRequest{Current: pw, New: "new-password-1", Confirm: "new-password-2"}, "confirm", "确认|confirmation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, s.g.ChangePassword(s.ctx, sess, tt.req), app.EINVALID, tt.field, tt.ment)
		})
	}
	if err := s.g.ChangePassword(s.ctx, sess, ChangePasswordRequest{Current: pw, New: "new-password-1", Confirm: "new-password-1"}); err != nil {
		t.Fatal(err)
	}
	// The other session ends; this one goes on; the new password works, the old one not.
	if _, err := s.g.Session(s.ctx, second.Token); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("the other session after a password change: %v", err)
	}
	if _, err := s.g.Session(s.ctx, first.Token); err != nil {
		t.Fatalf("the changing session: %v", err)
	}
	if _, err := s.g.Login(s.ctx, LoginRequest{Username: "Owner", Password: pw, Client: LoginClient{RemoteIP: "192.0.2.1"}}); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("the old password: %v", err)
	}
	third, err := s.g.Login(s.ctx, LoginRequest{Username: "Owner", Password: "new-password-1", Client: LoginClient{RemoteIP: "192.0.2.1"}})
	if err != nil {
		t.Fatalf("the new password: %v", err)
	}
	if err := s.g.Logout(s.ctx, third.Token, "Owner"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.g.Session(s.ctx, third.Token); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("after logout: %v", err)
	}
	// A session ends after its lifetime.
	s.clock.Add(SessionLifetime + time.Second)
	if _, err := s.g.Session(s.ctx, first.Token); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("a week-old session: %v", err)
	}
}
