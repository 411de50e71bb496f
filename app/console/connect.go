package console

import (
	"net/url"
	"time"

	"paygate/app"
)

// PublicAddress is the public address setting: in force, where from, and
// the console's value when config.yaml, the environment or a flag pins
// another.
type PublicAddress struct {
	URL    string     // in force; "" when none is set
	Source app.Source // default (none), the console, or pinned
	Saved  string     // the console's value, when a pinned one overrides it
}

// ReachVia says why the address handed out is the one it is.
type ReachVia string

// Where the address handed out comes from.
const (
	ReachPublic  ReachVia = "public"  // the public address set by the owner
	ReachRequest ReachVia = "request" // the address the console was opened at, which is not this computer only
	ReachLAN     ReachVia = "lan"     // this computer's LAN address, instead of localhost
	ReachLocal   ReachVia = "local"   // only localhost: phones and payers cannot use it
)

// Reach is how phones and payers reach this paygate: the address links,
// pairing strings and QR codes are built on, and the alternatives.
type Reach struct {
	Base    string   // e.g. http://192.168.1.5:3000, without a trailing slash
	Via     ReachVia // why Base
	Public  PublicAddress
	Request string // the address this page was opened at
	// LAN are the addresses phones on the same Wi-Fi can open, e.g.
	// http://192.168.1.5:3000; empty when paygate listens on this computer only.
	LAN []string
	// LocalOnly: paygate listens on 127.0.0.1 only (server.addr), so no
	// other device can reach it whatever the address.
	LocalOnly bool
	Port      int
}

// Local reports whether the address handed out works on this computer only.
func (r Reach) Local() bool { return r.Via == ReachLocal }

// Host is Base's host[:port], as the V免签 pairing string wants it.
func (r Reach) Host() string {
	u, err := url.Parse(r.Base)
	if err != nil {
		return ""
	}
	return u.Host
}

// Scheme is Base's scheme, http or https.
func (r Reach) Scheme() string {
	u, err := url.Parse(r.Base)
	if err != nil || u.Scheme == "" {
		return "http"
	}
	return u.Scheme
}

// SetupChecklist is how far a new shop has come from first start to first
// payment; the dashboard shows it until every step is done.
type SetupChecklist struct {
	PayQR   bool      // a 收款码 is uploaded
	Paired  bool      // a phone was added
	HeardAt time.Time // when a phone was last heard from; zero: never (no test notification yet)
	Links   int       // payment links made
	// APIOrder: an order came from the shop's server (the API or 易支付).
	APIOrder bool
}

// Heard reports whether a phone's first message has arrived.
func (c SetupChecklist) Heard() bool { return !c.HeardAt.IsZero() }

// Selling reports whether the shop can take orders: a payment link exists
// or the shop's server has sent an order.
func (c SetupChecklist) Selling() bool { return c.Links > 0 || c.APIOrder }

// Done reports whether every step is done.
func (c SetupChecklist) Done() bool { return c.PayQR && c.Paired && c.Heard() && c.Selling() }

// ConnectPanel is the dashboard's block about getting and staying
// connected: the first-run checklist until done, and what alerts are open.
type ConnectPanel struct {
	Checklist SetupChecklist
	Incidents []app.AlertIncident
	Channels  int // alert channels switched on
	Reach     Reach
}

// DeviceHeard is one phone for the guide pages: its state and the last
// thing it sent.
type DeviceHeard struct {
	Device app.Device
	Last   *app.Notification // nil: nothing stored yet (a V免签 heartbeat is not stored)
}

// AlertChannelForm is the console's form for a new alert channel, as text.
type AlertChannelForm struct {
	Kind, Name                         string
	URL, Key, Secret, ChatID           string
	Host, Username, Password, From, To string
}

// AlertTest is what the "send test" button got.
type AlertTest struct {
	Channel    app.AlertChannel
	Error      string // "" when the service accepted it
	DurationMS int64
}

// AlertsPage is the console's alerts page.
type AlertsPage struct {
	Channels   []app.AlertChannel
	Incidents  []app.AlertIncident // open now
	Messages   []app.AlertMessage  // the newest, sent or not
	QuietHours app.QuietHours
	MaxPerHour int
	Settle     time.Duration
}
