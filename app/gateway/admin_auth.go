package gateway

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"paygate/app"
	"paygate/app/sign"
)

// SessionLifetime is how long a login lasts.
const SessionLifetime = 7 * 24 * time.Hour

// minPasswordLen is the shortest admin password accepted.
const minPasswordLen = 8

// setup holds the one-time first-run token, made while no admin exists.
type setup struct {
	mu    sync.Mutex
	token string
}

// NeedsSetup reports whether the admin account is still to be created.
func (g *Gateway) NeedsSetup(ctx context.Context) (bool, error) {
	has, err := g.db.HasAdmin(ctx)
	return !has, err
}

// SetupToken returns the one-time token a visitor from another machine must
// give to create the admin account, and whether one is needed at all (false
// once an admin exists). The same token is returned until it is used.
func (g *Gateway) SetupToken(ctx context.Context) (string, bool, error) {
	need, err := g.NeedsSetup(ctx)
	if err != nil || !need {
		return "", false, err
	}
	g.setup.mu.Lock()
	defer g.setup.mu.Unlock()
	if g.setup.token == "" {
		var b [9]byte
		_, _ = rand.Read(b[:])
		g.setup.token = base64.RawURLEncoding.EncodeToString(b[:])
	}
	return g.setup.token, true, nil
}

// SetupRequest is the first-run form.
type SetupRequest struct {
	Username string
	Password string
	Confirm  string
	Token    string // required unless Local
	Local    bool   // the request comes from this machine
	Client   LoginClient
}

// SetupAdmin creates the admin account on a fresh instance and signs its
// maker in. The login throttle plays no part: failed logins by strangers
// (even before the account existed) cannot stop the owner here.
func (g *Gateway) SetupAdmin(ctx context.Context, req SetupRequest) (LoginResult, error) {
	token, need, err := g.SetupToken(ctx)
	if err != nil {
		return LoginResult{}, err
	}
	if !need {
		return LoginResult{}, app.NewError(app.ECONFLICT, "",
			"管理员账号已经创建过了：请直接登录。", "The admin account exists already: log in instead.")
	}
	if !req.Local && !sign.Equal(strings.TrimSpace(req.Token), token) {
		return LoginResult{}, app.NewError(app.EFORBIDDEN, "token",
			"从其他电脑创建管理员需要一次性设置码：请查看 paygate 启动时控制台输出的 setup token，填入后重试（或在运行 paygate 的电脑上打开 http://localhost 端口）。",
			"Creating the admin from another computer needs the one-time setup token: copy it from the console where paygate started and retry (or open http://localhost:PORT on the computer running paygate).")
	}
	name, err := validUsername(req.Username)
	if err != nil {
		return LoginResult{}, err
	}
	if err := validPassword(req.Password, req.Confirm); err != nil {
		return LoginResult{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(req.Password), bcrypt.DefaultCost)
	if err != nil {
		return LoginResult{}, err
	}
	a, err := g.db.CreateFirstAdmin(ctx, name, string(hash))
	if err != nil {
		return LoginResult{}, err
	}
	g.setup.mu.Lock()
	g.setup.token = ""
	g.setup.mu.Unlock()
	g.log.Info("admin account created", "username", name)
	return g.openSession(ctx, a, "", req.Client, g.db.Now())
}

func validUsername(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = "admin"
	}
	if utf8.RuneCountInString(s) > 32 || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", app.NewError(app.EINVALID, "username",
			"用户名最多 32 个字符，不能有空格。", "The username must be at most 32 characters, without spaces.")
	}
	return s, nil
}

func validPassword(pw, confirm string) error {
	switch {
	case utf8.RuneCountInString(pw) < minPasswordLen:
		return app.NewError(app.EINVALID, "password",
			fmt.Sprintf("密码太短：至少 %d 个字符。建议用一句好记的话，例如“我家小店2024开张”。", minPasswordLen),
			fmt.Sprintf("The password is too short: use at least %d characters, e.g. a sentence you remember.", minPasswordLen))
	case len(pw) > 72:
		return app.NewError(app.EINVALID, "password",
			"密码太长：最多 72 个字节（约 24 个汉字或 72 个英文字符）。", "The password is too long: at most 72 bytes.")
	case pw != confirm:
		return app.NewError(app.EINVALID, "confirm",
			"两次输入的密码不一致：请重新输入确认密码。", "The two passwords differ: type the confirmation again.")
	}
	return nil
}

// dummyHash is compared against when the account does not exist, so a wrong
// username takes as long as a wrong password.
// Made on first use, so starting paygate does not pay for it.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("paygate-no-such-user"), bcrypt.DefaultCost)
	return h
})

// LoginClient is the browser that logs in.
type LoginClient struct {
	RemoteIP  string
	UserAgent string
	Device    string // its known-device cookie, if it has one
}

// LoginRequest is the login form.
type LoginRequest struct {
	Username string
	Password string
	Client   LoginClient
}

// LoginResult is a successful login: what the browser is to keep.
type LoginResult struct {
	Token   string // the session cookie (only its hash is stored)
	Session app.Session
	Device  string // the known-device cookie, renewed on every login
}

// ownerIPMemory is how long an address the admin signed in from stays known
// to the login throttle.
const ownerIPMemory = 30 * 24 * time.Hour

// Login checks the password and opens a session. Every try is counted before
// the password is checked; too many failures are refused for a while, with a
// message saying how long to wait (see login_throttle.go for who is judged by
// which bucket).
func (g *Gateway) Login(ctx context.Context, req LoginRequest) (LoginResult, error) {
	name := strings.TrimSpace(req.Username)
	if name == "" {
		name = "admin"
	}
	account := strings.ToLower(name)
	now := g.db.Now()
	a, found, err := g.db.AdminByUsername(ctx, name)
	if err != nil {
		return LoginResult{}, err
	}
	buckets, deviceID, stranger, err := g.loginBuckets(ctx, req.Client, account, a, found, now)
	if err != nil {
		return LoginResult{}, err
	}
	if wait := g.throttle.reserve(buckets, now); wait > 0 {
		return LoginResult{}, errTooManyLogins(wait, stranger)
	}
	var hash []byte
	if found {
		hash = []byte(a.PasswordHash)
	} else {
		hash = dummyHash()
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(req.Password)) != nil || !found {
		g.log.Warn("failed admin login", "username", name, "ip", req.Client.RemoteIP)
		return LoginResult{}, app.NewError(app.EUNAUTHORIZED, "password",
			"用户名或密码不正确：请检查大小写和输入法后重试。", "Wrong username or password: check caps lock and the input method, then retry.")
	}
	g.throttle.succeed(buckets, now)
	return g.openSession(ctx, a, deviceID, req.Client, now)
}

// loginBuckets are the throttle buckets that judge a login try: the known
// browser's own, else the owner address's own, else the stranger ones. It
// also returns the browser's known-device id ("" when it has none).
func (g *Gateway) loginBuckets(ctx context.Context, cl LoginClient, account string, a app.Admin, found bool, now time.Time) (
	buckets []throttleBucket, deviceID string, stranger bool, err error) {
	if found {
		id, known, err := g.knownDevice(ctx, cl.Device, account, now)
		if err != nil {
			return nil, "", false, err
		}
		if known {
			return knownDeviceBucket(id), id, false, nil
		}
		ownerIP, err := g.db.KnownLoginIP(ctx, a.ID, cl.RemoteIP, now.Add(-ownerIPMemory))
		if err != nil {
			return nil, "", false, err
		}
		if ownerIP {
			return ownerIPBucket(account, cl.RemoteIP), "", false, nil
		}
	}
	return strangerBuckets(cl.RemoteIP, account), "", true, nil
}

func errTooManyLogins(wait time.Duration, stranger bool) error {
	minutes := int(math.Ceil(wait.Minutes()))
	zh := fmt.Sprintf("登录失败次数太多：为了安全，请等 %d 分钟后再试。", minutes)
	en := fmt.Sprintf("Too many failed logins: for safety, wait %d minute(s) and try again.", minutes)
	if stranger {
		zh += "之前在这里登录过的浏览器不受影响，可以换用它登录。"
		en += " A browser that has signed in here before is not affected: you can use that one."
	}
	zh += "忘记密码请查看 README 中“重置管理员密码”一节（paygate reset-admin）。"
	en += " Forgot the password? See “Reset the admin password” in the README (paygate reset-admin)."
	return app.NewError(app.ERATELIMIT, "password", zh, en)
}

// openSession signs a in from cl: a new session, and the known-device
// cookie (deviceID's, or a new device's).
func (g *Gateway) openSession(ctx context.Context, a app.Admin, deviceID string, cl LoginClient, now time.Time) (LoginResult, error) {
	if deviceID == "" {
		deviceID = newDeviceID()
	}
	device, err := g.knownDeviceCookie(ctx, strings.ToLower(a.Username), deviceID, now)
	if err != nil {
		return LoginResult{}, err
	}
	token := newSessionToken()
	s := app.Session{
		TokenHash: hashToken(token),
		Admin:     a,
		CreatedAt: now,
		ExpiresAt: now.Add(SessionLifetime),
		RemoteIP:  cl.RemoteIP,
		UserAgent: app.CutRunes(cl.UserAgent, 200),
	}
	if err := g.db.CreateSession(ctx, s); err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Token: token, Session: s, Device: device}, nil
}

// Session returns the logged-in session for a cookie token.
func (g *Gateway) Session(ctx context.Context, token string) (app.Session, error) {
	errLogin := app.NewError(app.EUNAUTHORIZED, "",
		"请先登录管理后台（登录已过期或已退出）。", "Please log in to the admin console (the session expired or was ended).")
	if token == "" || len(token) > 100 {
		return app.Session{}, errLogin
	}
	s, found, err := g.db.SessionByHash(ctx, hashToken(token))
	if err != nil {
		return app.Session{}, err
	}
	if !found {
		return app.Session{}, errLogin
	}
	return s, nil
}

// Logout ends the session of token.
func (g *Gateway) Logout(ctx context.Context, token, actor string) error {
	return g.db.DeleteSession(ctx, hashToken(token), actor)
}

// ChangePasswordRequest is the change-password form.
type ChangePasswordRequest struct {
	Current, New, Confirm string
}

// ChangePassword replaces the admin's password after checking the current
// one; every other session of theirs ends.
func (g *Gateway) ChangePassword(ctx context.Context, s app.Session, req ChangePasswordRequest) error {
	if bcrypt.CompareHashAndPassword([]byte(s.Admin.PasswordHash), []byte(req.Current)) != nil {
		return app.NewError(app.EINVALID, "current", "当前密码不正确：请重新输入。", "The current password is wrong: type it again.")
	}
	if err := validPassword(req.New, req.Confirm); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(req.New), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	return g.db.SetAdminPassword(ctx, s.Admin.ID, string(hash), s.TokenHash)
}

// hashToken is what is stored for a session token.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func newSessionToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
