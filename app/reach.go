package app

import (
	"net/netip"
	"time"
)

// ReachCheck is a one-time address the owner opens on the phone to see
// whether it reaches paygate ("check from outside"). The console shows it
// as reached, with from where, as soon as the phone opens it.
type ReachCheck struct {
	Token     string
	URL       string // the address to open, built from the address paygate hands out
	CreatedAt time.Time
	HitAt     time.Time // zero until opened
	HitIP     string    // the address the request came from
	HitHost   string    // the host name it used (the Host header)
}

// Reached reports whether the phone has opened the check address.
func (c ReachCheck) Reached() bool { return !c.HitAt.IsZero() }

// FromLAN reports whether the phone came from the local network (the same
// Wi-Fi) rather than over the internet.
func (c ReachCheck) FromLAN() bool {
	ip, err := netip.ParseAddr(c.HitIP)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	return ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast()
}

// ReachCheckLifetime is how long a check address works.
const ReachCheckLifetime = time.Hour
