package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"paygate/app"
	"paygate/app/console"
)

// keyPublicURL is the public address's config key, and the settings row
// where the console keeps it.
const keyPublicURL = "server.public_url"

// listenState is where paygate listens, as far as reaching it goes.
type listenState struct {
	known bool
	port  int
	all   bool       // every interface (":3000")
	ip    netip.Addr // the one address, when not all
}

// lanCache keeps the detected LAN addresses for a while: pages ask often,
// and interfaces change rarely (a laptop joining another Wi-Fi).
type lanCache struct {
	mu     sync.Mutex
	detect func() []netip.Addr
	at     time.Time
	addrs  []netip.Addr
}

func (c *lanCache) get() []netip.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || time.Since(c.at) > 30*time.Second {
		c.addrs, c.at = c.detect(), time.Now()
	}
	return c.addrs
}

// SetListenAddr tells the gateway where the server listens, so it can hand
// out this computer's LAN address instead of localhost.
func (g *Gateway) SetListenAddr(a net.Addr) {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return
	}
	st := listenState{known: true, port: tcp.Port, all: tcp.IP == nil || tcp.IP.IsUnspecified()}
	if !st.all {
		st.ip, _ = netip.AddrFromSlice(tcp.IP)
		st.ip = st.ip.Unmap()
	}
	g.listen.Store(&st)
}

// LANBases are the addresses phones on the same network open paygate at,
// e.g. http://192.168.1.5:3000, best first; none when paygate listens on
// this computer only (or where it listens is not known).
func (g *Gateway) LANBases(scheme string) []string {
	st := g.listen.Load()
	if st == nil || !st.known {
		return nil
	}
	var ips []netip.Addr
	switch {
	case st.all:
		ips = g.lan.get()
	case !st.ip.IsLoopback() && !st.ip.IsUnspecified():
		ips = []netip.Addr{st.ip}
	}
	var out []string
	for _, ip := range ips {
		out = append(out, scheme+"://"+net.JoinHostPort(ip.String(), strconv.Itoa(st.port)))
	}
	return out
}

// ListensLocalOnly reports whether paygate listens on the loopback
// address only, so no other device can reach it.
func (g *Gateway) ListensLocalOnly() bool {
	st := g.listen.Load()
	return st != nil && st.known && !st.all && st.ip.IsLoopback()
}

// Reach says which address to hand to phones and payers, given the one
// the request came in at (requestBase, e.g. http://localhost:3000): the
// public address when set; else the request's, unless it is this computer
// only; then this computer's LAN address; localhost only as a last resort,
// which pages then refuse to put in a QR code.
func (g *Gateway) Reach(requestBase string) console.Reach {
	r := console.Reach{Public: g.PublicAddress(), Request: requestBase, LocalOnly: g.ListensLocalOnly()}
	scheme := "http"
	if u, err := url.Parse(requestBase); err == nil && u.Scheme != "" {
		scheme = u.Scheme
	}
	if st := g.listen.Load(); st != nil {
		r.Port = st.port
	}
	r.LAN = g.LANBases(scheme)
	switch {
	case r.Public.URL != "":
		r.Base, r.Via = r.Public.URL, console.ReachPublic
	case !localBase(requestBase):
		r.Base, r.Via = requestBase, console.ReachRequest
	case len(r.LAN) > 0:
		r.Base, r.Via = r.LAN[0], console.ReachLAN
	default:
		r.Base, r.Via = requestBase, console.ReachLocal
	}
	return r
}

// localBase reports whether a base URL can only be opened on this computer.
func localBase(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return true
	}
	return localHost(u.Hostname())
}

func localHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && (ip.Unmap().IsLoopback() || ip.IsUnspecified())
}

// PublicAddress is the public address in force and where it comes from.
func (g *Gateway) PublicAddress() console.PublicAddress {
	if p := g.public.Load(); p != nil {
		return *p
	}
	return console.PublicAddress{}
}

// loadPublicAddress reads the console's public address: in force unless
// config.yaml, the environment or a flag pins one.
func (g *Gateway) loadPublicAddress(ctx context.Context) error {
	stored, err := g.db.SettingValues(ctx, keyPublicURL)
	if err != nil {
		return err
	}
	g.public.Store(g.resolvePublic(stored[keyPublicURL]))
	return nil
}

func (g *Gateway) resolvePublic(saved string) *console.PublicAddress {
	p := &console.PublicAddress{Source: g.pinned[keyPublicURL]}
	switch {
	case p.Source.Pinned():
		p.URL, p.Saved = g.configPublicURL, saved
	case saved != "":
		p.URL, p.Source = saved, app.Source{Kind: app.SourceConsole}
	}
	return p
}

// SetPublicAddress saves the public address from the console; "" removes
// it. A pinned address cannot be changed here; by is who asked.
func (g *Gateway) SetPublicAddress(ctx context.Context, raw, by string) error {
	cur := g.PublicAddress()
	if cur.Source.Pinned() {
		return app.NewError(app.ECONFLICT, "publicUrl",
			"访问地址"+cur.Source.Describe("zh")+"，这里不能修改：请在那里改，或删掉它后在这里设置。",
			"The public address is "+cur.Source.Describe("en")+" and cannot be changed here: change it there, or remove it there and set it here.")
	}
	u, err := ParsePublicURL(raw)
	if err != nil {
		return err
	}
	if err := g.db.PutSettings(ctx, map[string]string{keyPublicURL: u}); err != nil {
		return err
	}
	g.public.Store(g.resolvePublic(u))
	detail := u
	if u == "" {
		detail = "(none)"
	}
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditPublicURL, Detail: detail})
}

// ParsePublicURL reads a public address: "" (none), or the scheme and host
// (and port) payers and phones use, without a path. localhost is refused:
// it is the one address a phone can never open.
func ParsePublicURL(raw string) (string, error) {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	if s == "" {
		return "", nil
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" ||
		u.User != nil || len(s) > 200 {
		return "", app.NewError(app.EINVALID, "publicUrl",
			"访问地址只写协议、域名（或 IP）和端口，不要路径，例如 https://pay.example.com 或 http://192.168.1.5:3000。",
			"The public address is the scheme, host (or IP) and port only, no path, e.g. https://pay.example.com or http://192.168.1.5:3000.")
	}
	if localHost(u.Hostname()) {
		return "", app.NewError(app.EINVALID, "publicUrl",
			u.Host+" 只有这台电脑自己能打开，手机和顾客都打不开：请填局域网地址（同一 Wi-Fi）或公网域名。",
			u.Host+" opens on this computer only; phones and payers cannot reach it: enter the LAN address (same Wi-Fi) or a public domain.")
	}
	return u.Scheme + "://" + u.Host, nil
}

// StartReachCheck makes a one-time address on base for the owner to open on
// the phone; the console shows when (and from where) it is opened.
func (g *Gateway) StartReachCheck(ctx context.Context, base string) (app.ReachCheck, error) {
	var b [15]byte
	_, _ = rand.Read(b[:])
	token := strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
	return g.db.CreateReachCheck(ctx, token, strings.TrimRight(base, "/")+"/check/"+token)
}

// ReachCheck returns a check address's state.
func (g *Gateway) ReachCheck(ctx context.Context, token string) (app.ReachCheck, error) {
	if !validToken(token) {
		return app.ReachCheck{}, app.NewError(app.ENOTFOUND, "token", "没有这个检查链接。", "There is no such check address.")
	}
	return g.db.ReachCheck(ctx, token)
}

// RecordReachHit records that the check address was opened from ip at host.
func (g *Gateway) RecordReachHit(ctx context.Context, token, ip, host string) (app.ReachCheck, error) {
	if !validToken(token) {
		return app.ReachCheck{}, app.NewError(app.ENOTFOUND, "token", "没有这个检查链接。", "There is no such check address.")
	}
	return g.db.HitReachCheck(ctx, token, ip, host)
}

func validToken(t string) bool {
	if len(t) != 24 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}
