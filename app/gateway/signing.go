package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	"paygate/app"
)

// The console signs its form tokens and known-device cookies with keys
// derived from one random secret kept in the database: made on first use, it
// survives restarts (and travels with backups), and nobody chooses it.
const signingSecretSetting = "security.signing_secret"

// Purposes of derived keys: a value signed for one use is no good for another.
const (
	purposeFormToken   = "form-token"
	purposeKnownDevice = "known-device"
)

type signingSecret struct {
	mu    sync.Mutex
	value []byte
}

// signingKey is the key for purpose, derived from the stored secret.
func (g *Gateway) signingKey(ctx context.Context, purpose string) ([]byte, error) {
	g.secret.mu.Lock()
	defer g.secret.mu.Unlock()
	if g.secret.value == nil {
		var b [32]byte
		_, _ = rand.Read(b[:])
		stored, err := g.db.SecretSetting(ctx, signingSecretSetting, hex.EncodeToString(b[:]))
		if err != nil {
			return nil, err
		}
		g.secret.value = []byte(stored)
	}
	return mac(g.secret.value, purpose), nil
}

func mac(key []byte, message string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(message))
	return m.Sum(nil)
}

// Form tokens (CSRF) bind a form to whoever was shown it: a signed-in
// session, or, before there is one (login, first run, payment link), the
// visitor's own pre-session cookie. A token is an HMAC under a server key, so
// a cookie planted by another site on the same domain does not come with a
// token that fits it.

// SessionBinding is what a signed-in admin's form tokens are bound to.
func SessionBinding(s app.Session) string { return "session:" + s.TokenHash }

// VisitorBinding is what a visitor's form tokens are bound to: the value of
// the pre-session cookie given to that browser.
func VisitorBinding(cookie string) string { return "visitor:" + cookie }

// FormToken is the anti-forgery token for forms shown to binding.
func (g *Gateway) FormToken(ctx context.Context, binding string) (string, error) {
	key, err := g.signingKey(ctx, purposeFormToken)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(mac(key, binding)), nil
}

// ValidFormToken reports whether token was made by FormToken for binding.
func (g *Gateway) ValidFormToken(ctx context.Context, binding, token string) (bool, error) {
	want, err := g.FormToken(ctx, binding)
	if err != nil {
		return false, err
	}
	return hmac.Equal([]byte(want), []byte(token)), nil
}

// KnownDeviceLifetime is how long a browser stays known after its last login.
const KnownDeviceLifetime = 365 * 24 * time.Hour

// A known-device cookie says "this browser signed in to account before":
// v1|device id|expiry (unix)|account, base64url, then "." and its HMAC. The
// login throttle gives such a browser a bucket of its own.

// knownDeviceCookie is the signed cookie value for device id of account.
func (g *Gateway) knownDeviceCookie(ctx context.Context, account, id string, now time.Time) (string, error) {
	key, err := g.signingKey(ctx, purposeKnownDevice)
	if err != nil {
		return "", err
	}
	payload := "v1|" + id + "|" + strconv.FormatInt(now.Add(KnownDeviceLifetime).Unix(), 10) + "|" + account
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." +
		base64.RawURLEncoding.EncodeToString(mac(key, payload)), nil
}

// knownDevice returns the device id in cookie when it is a genuine,
// unexpired known-device cookie of account.
func (g *Gateway) knownDevice(ctx context.Context, cookie, account string, now time.Time) (string, bool, error) {
	if cookie == "" || len(cookie) > 300 {
		return "", false, nil
	}
	encoded, signature, ok := strings.Cut(cookie, ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(encoded)
	got, err2 := base64.RawURLEncoding.DecodeString(signature)
	if !ok || err1 != nil || err2 != nil {
		return "", false, nil
	}
	key, err := g.signingKey(ctx, purposeKnownDevice)
	if err != nil {
		return "", false, err
	}
	if !hmac.Equal(got, mac(key, string(payload))) {
		return "", false, nil
	}
	fields := strings.SplitN(string(payload), "|", 4)
	if len(fields) != 4 || fields[0] != "v1" || fields[3] != account {
		return "", false, nil
	}
	expires, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil || now.Unix() >= expires {
		return "", false, nil
	}
	return fields[1], true, nil
}

func newDeviceID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
