// Package lan finds this computer's addresses on the local network: the
// ones a phone on the same Wi-Fi can open paygate at. Virtual adapters
// (Docker, VMs, VPN tunnels) are left out, and private IPv4 addresses come
// first, home routers' 192.168.x.x before 10.x and 172.16–31.x.
package lan

import (
	"net"
	"net/netip"
	"sort"
	"strings"
)

// Interface is what Rank needs to know of a network interface.
type Interface struct {
	Name  string
	Flags net.Flags
	Addrs []netip.Addr
}

// Addresses lists this computer's LAN addresses, best first; none when the
// interfaces cannot be read.
func Addresses() []netip.Addr {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var list []Interface
	for _, ifc := range ifaces {
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		it := Interface{Name: ifc.Name, Flags: ifc.Flags}
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				it.Addrs = append(it.Addrs, p.Addr())
			} else if ip, err := netip.ParseAddr(a.String()); err == nil {
				it.Addrs = append(it.Addrs, ip)
			}
		}
		list = append(list, it)
	}
	return Rank(list)
}

// Rank picks the addresses a phone could use from the interfaces: IPv4
// (the V免签 app and people type those), on interfaces that are up, not
// loopback, not point-to-point (VPN tunnels) and not virtual; never
// loopback, link-local or unspecified addresses. Best first: 192.168/16, then
// 10/8, 172.16/12, then any other (a LAN numbered with public addresses),
// CGNAT 100.64/10 last.
func Rank(ifaces []Interface) []netip.Addr {
	var out []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 || ifc.Flags&net.FlagPointToPoint != 0 || virtual(ifc.Name) {
			continue
		}
		for _, a := range ifc.Addrs {
			a = a.Unmap()
			if !a.Is4() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || a.IsMulticast() || seen[a] {
				continue
			}
			if a.As4()[0] == 0 || a.As4()[0] >= 224 {
				continue
			}
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

var (
	home    = netip.MustParsePrefix("192.168.0.0/16")
	ten     = netip.MustParsePrefix("10.0.0.0/8")
	sixteen = netip.MustParsePrefix("172.16.0.0/12")
	cgnat   = netip.MustParsePrefix("100.64.0.0/10")
)

func rank(a netip.Addr) int {
	switch {
	case home.Contains(a):
		return 0
	case ten.Contains(a):
		return 1
	case sixteen.Contains(a):
		return 2
	case cgnat.Contains(a):
		return 4
	}
	return 3
}

// virtualNames are parts of the names virtual adapters get on Linux, macOS
// and Windows: container bridges, VM host networks, VPN and overlay tunnels.
var virtualNames = []string{
	"docker", "veth", "virbr", "vmnet", "vboxnet", "vethernet", "vmware", "virtualbox", "hyper-v", "wsl",
	"tailscale", "zerotier", "zt", "utun", "tun", "tap", "wg", "ifb", "cni", "flannel", "cali", "lxc", "lxd",
	"podman", "br-", "kube", "awdl", "llw", "anpi", "bridge", "ppp", "ipsec", "npcap", "loopback", "bluetooth",
}

// virtual reports whether an interface name looks like a virtual adapter.
func virtual(name string) bool {
	n := strings.ToLower(name)
	for _, v := range virtualNames {
		if strings.HasPrefix(n, v) || (len(v) > 3 && strings.Contains(n, v)) {
			return true
		}
	}
	return false
}
