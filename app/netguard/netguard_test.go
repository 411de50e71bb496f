package netguard

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"paygate/app"
)

func mustPolicy(t *testing.T, allow ...string) *Policy {
	t.Helper()
	p, err := New(allow)
	if err != nil {
		t.Fatal(err)
	}
	p.ownAddrs = func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("203.0.113.7")} }
	return p
}

func TestInternalAddresses(t *testing.T) {
	p := mustPolicy(t)
	for _, tt := range []struct {
		ip   string
		want app.AddressKind
	}{
		{"127.0.0.1", app.AddressLoopback},
		{"127.0.0.2", app.AddressLoopback},
		{"::1", app.AddressLoopback},
		{"::ffff:127.0.0.1", app.AddressLoopback},
		{"64:ff9b::7f00:1", app.AddressLoopback},
		{"10.1.2.3", app.AddressPrivate},
		{"172.16.0.1", app.AddressPrivate},
		{"192.168.1.1", app.AddressPrivate},
		{"fd00::1", app.AddressPrivate},
		{"169.254.169.254", app.AddressLinkLocal},
		{"fe80::1", app.AddressLinkLocal},
		{"0.0.0.0", app.AddressUnspecified},
		{"0.1.2.3", app.AddressUnspecified},
		{"::", app.AddressUnspecified},
		{"239.1.2.3", app.AddressMulticast}, {"224.0.0.1", app.AddressLinkLocal},
		{"ff02::1", app.AddressLinkLocal},
		{"ff05::1", app.AddressMulticast},
		{"100.64.0.1", app.AddressShared},
		{"255.255.255.255", app.AddressReserved},
		{"203.0.113.7", app.AddressOwn},
		{"8.8.8.8", app.AddressKind{}},
		{"2001:4860:4860::8888", app.AddressKind{}},
	} {
		got, internal := p.internal(netip.MustParseAddr(tt.ip))
		if got != tt.want || internal != (tt.want != app.AddressKind{}) {
			t.Errorf("%s: %v %v, want %v", tt.ip, got, internal, tt.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	p := mustPolicy(t, "shop.lan", "192.168.7.0/24", "[fd00::5]")
	p.SetOwnPort(3000)
	const owner = "https://merchant.example.com/cb"
	for _, tt := range []struct {
		url, owner string
		want       app.AddressKind // zero: allowed
	}{
		{"http://127.0.0.1:8080/internal", owner, app.AddressLoopback},
		{"http://localhost/x", owner, app.AddressLoopback},
		{"http://LOCALHOST./x", owner, app.AddressLoopback},
		{"http://api.localhost/x", owner, app.AddressLoopback},
		{"http://[::1]:9/x", owner, app.AddressLoopback},
		{"http://[::ffff:127.0.0.1]/x", owner, app.AddressLoopback},
		{"http://10.0.0.1/x", owner, app.AddressPrivate},
		{"http://169.254.169.254/latest/meta-data/", owner, app.AddressLinkLocal},
		{"http://0.0.0.0:8080/", owner, app.AddressUnspecified},
		{"http://203.0.113.7/", owner, app.AddressOwn},
		{"https://shop.example.com/notify", owner, app.AddressKind{}},             // names are checked when dialled
		{"http://8.8.8.8/notify", owner, app.AddressKind{}},                       // public
		{"http://127.0.0.1:3001/cb", "http://127.0.0.1:3001/", app.AddressKind{}}, // the owner's callback host
		{"http://localhost:3001/cb", "http://localhost:3001/", app.AddressKind{}},
		{"http://shop.lan/notify", owner, app.AddressKind{}},                         // allowed by name
		{"http://192.168.7.9/notify", owner, app.AddressKind{}},                      // allowed CIDR
		{"http://192.168.8.9/notify", owner, app.AddressPrivate},                     // outside it
		{"http://[fd00::5]/notify", owner, app.AddressKind{}},                        // allowed address
		{"http://127.0.0.1:3000/webhook", "http://127.0.0.1:3001/", app.AddressSelf}, // paygate itself, even on the owner's host
		{"http://203.0.113.7:3000/", owner, app.AddressSelf},
	} {
		err := p.CheckURL(tt.url, tt.owner)
		var blocked *BlockedError
		switch {
		case tt.want == app.AddressKind{} && err != nil:
			t.Errorf("%s: refused: %v", tt.url, err)
		case tt.want != app.AddressKind{} && !errors.As(err, &blocked):
			t.Errorf("%s: allowed, want refused as %s", tt.url, tt.want.En)
		case tt.want != app.AddressKind{} && blocked.Kind != tt.want:
			t.Errorf("%s: refused as %s, want %s", tt.url, blocked.Kind.En, tt.want.En)
		}
	}
}

func TestNewRefusesBadEntries(t *testing.T) {
	for _, bad := range []string{"http://shop.lan", "shop lan", "10.0.0.0/33", "shop.lan:8080"} {
		if _, err := New([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := New([]string{"shop.lan", " 10.0.0.0/8", "127.0.0.1", "::1", ""}); err != nil {
		t.Error(err)
	}
}

// fakeDNS answers every A question with ip (and AAAA with nothing): a name
// that an attacker's DNS points at an internal address.
func fakeDNS(t *testing.T, ip netip.Addr) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			end := 12
			for end < n && buf[end] != 0 {
				end += int(buf[end]) + 1
			}
			end += 5 // the root label, qtype, qclass
			if end > n {
				continue
			}
			qtype := binary.BigEndian.Uint16(buf[end-4:])
			resp := append([]byte(nil), buf[:end]...)
			binary.BigEndian.PutUint16(resp[2:], 0x8180) // a response, recursion available, no error
			binary.BigEndian.PutUint16(resp[4:], 1)
			binary.BigEndian.PutUint16(resp[8:], 0)
			binary.BigEndian.PutUint16(resp[10:], 0)
			if qtype == 1 {
				binary.BigEndian.PutUint16(resp[6:], 1)
				a := ip.As4()
				resp = append(resp, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, a[0], a[1], a[2], a[3])
			} else {
				binary.BigEndian.PutUint16(resp[6:], 0)
			}
			pc.WriteTo(resp, from)
		}
	}()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

// A name that resolves to loopback is refused at the address dialled, unless
// the name is allowed; the owner's callback host is allowed through ctx.
func TestDialChecksTheResolvedAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	base := &net.Dialer{Timeout: 2 * time.Second, Resolver: fakeDNS(t, netip.MustParseAddr("127.0.0.1"))}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	for _, tt := range []struct {
		name  string
		allow []string
		owner string
		addr  string
		ok    bool
	}{
		{"name resolving to loopback", nil, "", "rebind.example:" + port, false},
		{"the same name allowed", []string{"rebind.example"}, "", "rebind.example:" + port, true},
		{"loopback allowed as a CIDR", []string{"127.0.0.0/8"}, "", "rebind.example:" + port, true},
		{"the owner's callback host", nil, "http://rebind.example/cb", "rebind.example:" + port, true},
		{"another owner host", nil, "http://shop.example/cb", "rebind.example:" + port, false},
		{"literal loopback", nil, "", "127.0.0.1:" + port, false},
		{"localhost with a final dot", nil, "", "localhost.:" + port, false},
	} {
		p := mustPolicy(t, tt.allow...)
		dctx := ctx
		if tt.owner != "" {
			dctx = WithOwnerURL(ctx, tt.owner)
		}
		conn, err := p.DialContext(base)(dctx, "tcp", tt.addr)
		if conn != nil {
			conn.Close()
		}
		var blocked *BlockedError
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !tt.ok && !errors.As(err, &blocked):
			t.Errorf("%s: dialled (err %v), want blocked", tt.name, err)
		case !tt.ok && blocked.Kind != app.AddressLoopback:
			t.Errorf("%s: blocked as %s", tt.name, blocked.Kind.En)
		}
	}
}
