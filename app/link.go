package app

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"paygate/app/money"
)

// PaymentLink lets a shop owner without a website sell: a buyer who opens
// /l/{Code} gets an order for the product and lands on the checkout page.
type PaymentLink struct {
	ID          int64
	Code        string // short random code in the URL
	ProductName string
	// Amount is the fixed price; 0 means the buyer enters an amount
	// between MinAmount and MaxAmount.
	Amount    money.Fen
	MinAmount money.Fen
	MaxAmount money.Fen
	Methods   []Method // the methods a buyer may choose, at least one
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BuyerAmount reports whether the buyer enters the amount.
func (l PaymentLink) BuyerAmount() bool { return l.Amount == 0 }

// Allows reports whether the link accepts method m.
func (l PaymentLink) Allows(m Method) bool {
	for _, x := range l.Methods {
		if x == m {
			return true
		}
	}
	return false
}

// MethodsText is the methods as stored: "alipay", "wechat" or "alipay,wechat".
func (l PaymentLink) MethodsText() string {
	parts := make([]string, len(l.Methods))
	for i, m := range l.Methods {
		parts[i] = string(m)
	}
	return strings.Join(parts, ",")
}

// ParseMethods reads MethodsText back; unknown names are dropped.
func ParseMethods(s string) []Method {
	var out []Method
	for _, p := range strings.Split(s, ",") {
		if m := Method(strings.TrimSpace(p)); m.Valid() {
			out = append(out, m)
		}
	}
	return out
}

// LinkSummary is a payment link with what it has brought in.
type LinkSummary struct {
	PaymentLink
	Orders  int       // orders created from it
	Paid    int       // of those, paid
	Revenue money.Fen // sum paid
}

// LinkLimits bound the payment-link orders that tie up payable amounts, so
// that nobody can use a link to hold every amount of its price; 0 = no limit.
type LinkLimits struct {
	// PerNetwork is how many open link orders one client network
	// (ClientNetwork: an IPv4 address, an IPv6 /64) may have, over all links.
	// Open: pending, or replaced by the same visitor's next order while its
	// amount cools (match.grace) — a replaced order's amount is tied up as
	// surely as a pending one's, so changing an order back and forth counts.
	PerNetwork int
	// PerLink is how many pending orders one link may have: a shop's link
	// for a fixed price must serve a queue of real customers, but visitors
	// from many networks together cannot take all of the links' half of a
	// price's amounts (LinkSlots) through one link.
	PerLink int
}

// LinkVisitor is who asks for a payment-link order.
type LinkVisitor struct {
	// ID comes from the visitor's payment-link cookie; "" when they sent none.
	// It tells a payer who orders again (a reload, the back button, a second
	// tab) from a neighbour behind the same address, so only it may give an
	// open order back or replace one.
	ID string
	// Network is ClientNetwork of the visitor's address. The cookie can be
	// dropped; the network cannot, so the limit is counted on it.
	Network string
}

// ClientNetwork is the network an IP address stands for when a visitor's
// orders are counted: an IPv4 address itself, an IPv6 address's /64 (a home
// or a phone is given a whole /64, so counting single IPv6 addresses would
// let one visitor count as billions). Text that is no IP address is
// returned trimmed, as it is.
func ClientNetwork(ip string) string {
	ip = strings.TrimSpace(ip)
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

// ReusableLinkOrder reports whether a visitor's open order o on a link
// answers their new request for amount by method: it is still pending, asks
// the same amount by the same method, and has at least a third of lifetime
// left. Then the payer is sent back to it — the checkout page they may have
// scanned already stays right, no amount is tied up twice. Otherwise the new
// order replaces it: a payer who chose another method or amount means the
// new one, and one whose order is about to run out gets a fresh countdown.
func ReusableLinkOrder(o Order, method Method, amount money.Fen, now time.Time, lifetime time.Duration) bool {
	return o.Status == OrderPending && o.Method == method && o.Amount == amount && o.ExpiresAt.Sub(now) >= lifetime/3
}

// LinkLimitError refuses a payment-link order because the visitor's network,
// or the link, has as many open orders as LinkLimits allow. It wraps a
// rate_limited *Error (errors.As finds it, with RetryAfter) and names the
// visitor's own open order, so the refusal page can lead back to it.
type LinkLimitError struct {
	Err *Error
	// Link: the link is at its limit, not the visitor's network.
	Link bool
	// OpenOrder is the visitor's own pending order, "" when none is known.
	OpenOrder string
}

func (e *LinkLimitError) Error() string { return e.Err.Error() }
func (e *LinkLimitError) Unwrap() error { return e.Err }

// LinkNetworkFull is the refusal when the visitor's network has limit open
// link orders; one of them frees up after wait. cooldown is how long a
// replaced order's amount stays tied up.
func LinkNetworkFull(limit int, wait, cooldown time.Duration, openOrder string) *LinkLimitError {
	mins := waitMinutes(wait)
	zh, en := durationText(cooldown)
	e := NewError(ERATELIMIT, "",
		fmt.Sprintf("你所在的网络（IP 地址）已有 %d 笔未付款的链接订单（%s内改单换下的订单也算在内），暂时不能再下单。如果其中有你的订单，请回到那个付款页面付款；否则请约 %d 分钟后再试，或关掉 Wi-Fi 用手机流量下单。",
			limit, zh, mins),
		fmt.Sprintf("Your network (IP address) already has %d unpaid payment-link orders (orders changed within the last %s count too), so it cannot place another now. If one of them is yours, go back to its checkout page and pay there; otherwise try again in about %d %s, or turn Wi-Fi off and order over mobile data.",
			limit, en, mins, plural(mins, "minute")))
	e.RetryAfter = roundUpSecond(wait)
	return &LinkLimitError{Err: e, OpenOrder: openOrder}
}

// LinkFull is the refusal when the link has limit pending orders; one of
// them expires after wait.
func LinkFull(limit int, wait time.Duration, openOrder string) *LinkLimitError {
	mins := waitMinutes(wait)
	e := NewError(ERATELIMIT, "",
		fmt.Sprintf("这个收款链接现在已有 %d 笔订单在等待付款，暂时不能再下单：请约 %d 分钟后再试。如果你已经下过单，请回到那个付款页面付款。", limit, mins),
		fmt.Sprintf("This payment link already has %d orders waiting for payment, so it takes no more for now: try again in about %d %s. If you already ordered, go back to that checkout page and pay there.",
			limit, mins, plural(mins, "minute")))
	e.RetryAfter = roundUpSecond(wait)
	return &LinkLimitError{Err: e, Link: true, OpenOrder: openOrder}
}

// waitMinutes is wait in whole minutes, rounded up, at least 1.
func waitMinutes(wait time.Duration) int {
	return max(1, int((wait+time.Minute-1)/time.Minute))
}

// roundUpSecond is wait rounded up to a whole second, at least 1 s: what
// Retry-After says.
func roundUpSecond(wait time.Duration) time.Duration {
	return max(time.Second, (wait+time.Second-1)/time.Second*time.Second)
}

func plural(n int, unit string) string {
	if n == 1 {
		return unit
	}
	return unit + "s"
}
