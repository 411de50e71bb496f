package lan

import (
	"net"
	"net/netip"
	"slices"
	"testing"
)

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

func TestRank(t *testing.T) {
	up := net.FlagUp | net.FlagBroadcast | net.FlagMulticast
	for _, tt := range []struct {
		name   string
		ifaces []Interface
		want   []netip.Addr
	}{
		{"nothing but loopback", []Interface{{Name: "lo", Flags: up | net.FlagLoopback, Addrs: addrs("127.0.0.1", "::1")}}, nil},
		{"home Wi-Fi", []Interface{
			{Name: "lo", Flags: up | net.FlagLoopback, Addrs: addrs("127.0.0.1")},
			{Name: "wlan0", Flags: up, Addrs: addrs("192.168.1.23", "fe80::1", "2408:8207::5")},
		}, addrs("192.168.1.23")},
		{"docker, VPN and VM adapters left out", []Interface{
			{Name: "docker0", Flags: up, Addrs: addrs("172.17.0.1")},
			{Name: "br-3f2a", Flags: up, Addrs: addrs("172.18.0.1")},
			{Name: "veth12", Flags: up, Addrs: addrs("172.17.0.5")},
			{Name: "tailscale0", Flags: up, Addrs: addrs("100.101.1.2")},
			{Name: "utun3", Flags: up | net.FlagPointToPoint, Addrs: addrs("10.8.0.2")},
			{Name: "vEthernet (WSL)", Flags: up, Addrs: addrs("172.29.48.1")},
			{Name: "VMware Network Adapter VMnet8", Flags: up, Addrs: addrs("192.168.174.1")},
			{Name: "以太网", Flags: up, Addrs: addrs("10.0.0.15")},
		}, addrs("10.0.0.15")},
		{"down interfaces and link-local left out", []Interface{
			{Name: "eth1", Flags: net.FlagBroadcast, Addrs: addrs("192.168.9.9")},
			{Name: "eth0", Flags: up, Addrs: addrs("169.254.3.4")},
		}, nil},
		{"192.168 before 10 before 172.16 before others before CGNAT", []Interface{
			{Name: "eth0", Flags: up, Addrs: addrs("100.70.1.1", "203.0.113.7", "172.20.1.1", "10.1.1.1", "192.168.0.8")},
		}, addrs("192.168.0.8", "10.1.1.1", "172.20.1.1", "203.0.113.7", "100.70.1.1")},
		{"one address on two interfaces listed once", []Interface{
			{Name: "eth0", Flags: up, Addrs: addrs("192.168.3.3")},
			{Name: "eth0:1", Flags: up, Addrs: addrs("192.168.3.3", "::ffff:192.168.3.4")},
		}, addrs("192.168.3.3", "192.168.3.4")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rank(tt.ifaces); !slices.Equal(got, tt.want) {
				t.Errorf("Rank = %v, want %v", got, tt.want)
			}
		})
	}
}
