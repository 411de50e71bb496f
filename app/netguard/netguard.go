// Package netguard keeps callbacks to per-request URLs (an order's notifyUrl,
// an 易支付 notify_url) out of paygate's own network. Whoever creates an order
// chooses that URL; a callback to loopback, the LAN or a cloud metadata
// address would let them reach services that trust this machine (server-side
// request forgery). The check is made on the address actually dialled, so a
// name that resolves to an internal address — now or after a DNS change — is
// refused too. The owner's own callback URL is trusted and not checked here.
package netguard

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"paygate/app"
)

var (
	sharedNet   = netip.MustParsePrefix("100.64.0.0/10")
	thisNet     = netip.MustParsePrefix("0.0.0.0/8")
	reservedNet = netip.MustParsePrefix("240.0.0.0/4") // includes 255.255.255.255
	nat64Net    = netip.MustParsePrefix("64:ff9b::/96")
	siteLocal   = netip.MustParsePrefix("fec0::/10")
)

// BlockedError is a per-request URL refused because its host is, or
// resolves to, an internal address.
type BlockedError struct {
	Host string     // the URL's host name
	IP   netip.Addr // the address refused; invalid for a name refused as such (localhost)
	Kind app.AddressKind
}

func (e *BlockedError) Error() string {
	if e.Kind == app.AddressSelf {
		return fmt.Sprintf("blocked: %s is paygate itself; a per-order callback URL may not call paygate", e.Target())
	}
	return fmt.Sprintf("blocked: %s is %s; per-order callback URLs may not reach internal addresses (allow the host with callback.allow_hosts)",
		e.Target(), e.Kind.En)
}

// Target is the host and, when it differs, the address it resolved to.
func (e *BlockedError) Target() string {
	if !e.IP.IsValid() || e.IP.String() == e.Host {
		return e.Host
	}
	return e.Host + " → " + e.IP.String()
}

// Policy decides which addresses per-request URLs may reach. Its zero value
// is not usable; New builds one.
type Policy struct {
	names   map[string]bool
	nets    []netip.Prefix
	ownPort atomic.Int32
	// ownAddrs lists this machine's interface addresses (a test replaces it).
	ownAddrs func() []netip.Addr
}

// New builds a policy that also lets through allowHosts: host names (the
// URL's host must equal one) and IP addresses or CIDRs (the dialled address
// must fall in one).
func New(allowHosts []string) (*Policy, error) {
	p := &Policy{names: map[string]bool{}, ownAddrs: interfaceAddrs}
	for _, raw := range allowHosts {
		h := strings.TrimSpace(raw)
		if h == "" {
			continue
		}
		if pfx, err := netip.ParsePrefix(h); err == nil {
			p.nets = append(p.nets, pfx.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
			ip = ip.Unmap()
			p.nets = append(p.nets, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		name := hostName(h)
		if !validName(name) {
			return nil, fmt.Errorf("%q is not a host name, IP address or CIDR like shop.lan, 127.0.0.1 or 10.0.0.0/8", raw)
		}
		p.names[name] = true
	}
	return p, nil
}

// SetOwnPort tells the policy the port paygate listens on: a per-request URL
// may never call paygate itself, whatever is allowed.
func (p *Policy) SetOwnPort(port int) { p.ownPort.Store(int32(port)) }

// hostName is a URL host as compared here: lower case, without brackets or a final dot.
func hostName(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}

func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// nameAllowed reports whether a URL with this host may reach internal
// addresses: it is the owner's callback URL host, or listed by name.
func (p *Policy) nameAllowed(host, ownerHost string) bool {
	h := hostName(host)
	return h != "" && (h == hostName(ownerHost) || p.names[h])
}

// internal says what kind of internal address ip is; ok is false for an
// ordinary public address.
func (p *Policy) internal(ip netip.Addr) (app.AddressKind, bool) {
	ip = ip.Unmap()
	if nat64Net.Contains(ip) { // 64:ff9b::a.b.c.d reaches a.b.c.d through a NAT64 gateway
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	switch {
	case ip.IsLoopback():
		return app.AddressLoopback, true
	case ip.IsUnspecified(), thisNet.Contains(ip):
		return app.AddressUnspecified, true
	case ip.IsPrivate(), siteLocal.Contains(ip):
		return app.AddressPrivate, true
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return app.AddressLinkLocal, true
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return app.AddressMulticast, true
	case sharedNet.Contains(ip):
		return app.AddressShared, true
	case reservedNet.Contains(ip):
		return app.AddressReserved, true
	}
	if p.isOwn(ip) {
		return app.AddressOwn, true
	}
	return app.AddressKind{}, false
}

// local reports whether a connection to ip reaches this machine.
func (p *Policy) local(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsUnspecified() || thisNet.Contains(ip) || p.isOwn(ip)
}

func (p *Policy) isOwn(ip netip.Addr) bool {
	for _, own := range p.ownAddrs() {
		if own == ip {
			return true
		}
	}
	return false
}

// allowedIP reports whether ip falls in an allowed address or CIDR.
func (p *Policy) allowedIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, n := range p.nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// check decides whether a URL with host may be dialled at ip:port.
func (p *Policy) check(host string, ip netip.Addr, port int, nameAllowed bool) error {
	ip = ip.Unmap().WithZone("")
	if own := int(p.ownPort.Load()); own != 0 && port == own && p.local(ip) {
		return &BlockedError{Host: hostName(host), IP: ip, Kind: app.AddressSelf}
	}
	kind, internal := p.internal(ip)
	if !internal || nameAllowed || p.allowedIP(ip) {
		return nil
	}
	return &BlockedError{Host: hostName(host), IP: ip, Kind: kind}
}

// CheckURL is the check made when an order is created, before anything is
// dialled: a URL whose host is an internal IP address or a localhost name is
// refused unless allowed. Names are checked when they are dialled.
func (p *Policy) CheckURL(rawURL, ownerURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return nil // the caller's URL validation says what is wrong
	}
	host := hostName(u.Hostname())
	nameAllowed := p.nameAllowed(host, URLHost(ownerURL))
	ip, err := netip.ParseAddr(host)
	if err != nil {
		if !nameAllowed && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
			return &BlockedError{Host: host, Kind: app.AddressLoopback}
		}
		return nil
	}
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = 80
		if u.Scheme == "https" {
			port = 443
		}
	}
	return p.check(host, ip, port, nameAllowed)
}

// URLHost is the host name of a URL as compared here, "" when there is none.
func URLHost(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return hostName(u.Hostname())
}

type ownerKey struct{}

// WithOwnerURL records the owner's configured callback URL in ctx, for the
// dialer: per-request URLs on its host are let through.
func WithOwnerURL(ctx context.Context, ownerURL string) context.Context {
	return context.WithValue(ctx, ownerKey{}, URLHost(ownerURL))
}

// DialContext returns a dial function for an http.Transport that dials like
// base but refuses, at each address it connects to, what the policy forbids.
// The transport must not use a proxy: the proxy's address would be checked
// instead of the destination's.
func (p *Policy) DialContext(base *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		owner, _ := ctx.Value(ownerKey{}).(string)
		nameAllowed := p.nameAllowed(host, owner)
		d := *base
		d.ControlContext = nil
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("netguard: unexpected address %q", address)
			}
			return p.check(host, ap.Addr(), int(ap.Port()), nameAllowed)
		}
		return d.DialContext(ctx, network, addr)
	}
}

// interfaceAddrs lists this machine's addresses; none when the OS will not say.
func interfaceAddrs() []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				out = append(out, ip.Unmap())
			}
		}
	}
	return out
}
