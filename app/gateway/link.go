package gateway

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"paygate/app"
	"paygate/app/money"
)

// LinkForm is the admin's new payment link, as text.
type LinkForm struct {
	ProductName string
	PriceKind   string // "fixed": Amount; "buyer": the buyer enters MinAmount..MaxAmount
	Amount      string
	MinAmount   string
	MaxAmount   string
	Methods     []string
}

// CreateLink validates f and stores a new, enabled payment link; by is who
// asked, recorded in the audit log.
func (g *Gateway) CreateLink(ctx context.Context, f LinkForm, by string) (app.PaymentLink, error) {
	t := g.Tuning()
	var l app.PaymentLink
	name, err := productName(f.ProductName)
	if err != nil {
		return l, err
	}
	l.ProductName = name
	switch f.PriceKind {
	case "fixed", "":
		if l.Amount, err = app.ParseAmount("amount", f.Amount, strings.TrimSpace(f.Amount) != "", t.MinAmount, t.MaxAmount); err != nil {
			return l, err
		}
	case "buyer":
		if l.MinAmount, err = app.ParseAmount("minAmount", f.MinAmount, strings.TrimSpace(f.MinAmount) != "", t.MinAmount, t.MaxAmount); err != nil {
			return l, err
		}
		if l.MaxAmount, err = app.ParseAmount("maxAmount", f.MaxAmount, strings.TrimSpace(f.MaxAmount) != "", t.MinAmount, t.MaxAmount); err != nil {
			return l, err
		}
		if l.MaxAmount < l.MinAmount {
			return l, app.NewError(app.EINVALID, "maxAmount",
				"最高金额不能小于最低金额（"+l.MinAmount.Fixed2()+" 元）：请调换或改正。",
				"The highest amount must not be below the lowest ("+l.MinAmount.Fixed2()+" yuan): swap or correct them.")
		}
	default:
		return l, app.NewError(app.EINVALID, "priceKind", "请选择价格方式：固定金额，或由顾客填写金额。",
			"Choose how the price is set: a fixed amount, or the buyer enters it.")
	}
	seen := map[app.Method]bool{}
	for _, m := range []app.Method{app.MethodAlipay, app.MethodWechat} {
		for _, s := range f.Methods {
			if strings.TrimSpace(s) == string(m) && !seen[m] {
				seen[m] = true
				l.Methods = append(l.Methods, m)
			}
		}
	}
	if len(l.Methods) == 0 {
		return l, app.NewError(app.EINVALID, "methods", "请至少选择一种支付方式：支付宝或微信。", "Choose at least one payment method: Alipay or WeChat Pay.")
	}
	return g.db.CreateLink(ctx, newLinkCode, l, by)
}

// productName checks a product name as orders do: 1 to 50 characters of plain text.
func productName(s string) (string, error) {
	name := strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", app.NewError(app.EINVALID, "productName", "请填写商品名称（1 到 50 个字）。", "Enter a product name (1 to 50 characters).")
	case n > app.MaxProductNameRunes:
		return "", app.NewError(app.EINVALID, "productName",
			fmt.Sprintf("商品名称太长（%d 个字）：最多 50 个字，请缩短。", n),
			fmt.Sprintf("The product name is too long (%d characters): at most 50; shorten it.", n))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", app.NewError(app.EINVALID, "productName", "商品名称里有控制字符：请只用普通文字。", "The product name contains control characters: use plain text.")
	}
	return name, nil
}

// linkAlphabet leaves out 0/o, 1/l/i: a code read aloud or typed is unambiguous.
const linkAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// newLinkCode is 8 random characters (about 40 bits): short enough to type,
// too many to guess one.
func newLinkCode() string {
	var b [8]byte
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(linkAlphabet))))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = linkAlphabet[n.Int64()]
	}
	return string(b[:])
}

// Links lists the payment links with their orders and revenue, newest first.
func (g *Gateway) Links(ctx context.Context) ([]app.LinkSummary, error) { return g.db.Links(ctx) }

// SetLinkEnabled turns a payment link on or off; by is who asked.
func (g *Gateway) SetLinkEnabled(ctx context.Context, id int64, enabled bool, by string) (app.PaymentLink, error) {
	return g.db.SetLinkEnabled(ctx, id, enabled, by)
}

// DeleteLink deletes a payment link; orders made through it stay. by is who asked.
func (g *Gateway) DeleteLink(ctx context.Context, id int64, by string) error {
	return g.db.DeleteLink(ctx, id, by)
}

// LinkByCode returns the link a buyer opened (enabled or not: the page says which).
func (g *Gateway) LinkByCode(ctx context.Context, code string) (app.PaymentLink, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" || len(code) > 32 {
		return app.PaymentLink{}, app.NewError(app.ENOTFOUND, "link",
			"收款链接不完整：请检查链接，或向商家要新的链接。", "The payment link is incomplete: check it, or ask the shop for a new one.")
	}
	return g.db.LinkByCode(ctx, code)
}

// LinkOrderRequest is a buyer's submission of a payment link's form.
type LinkOrderRequest struct {
	Code     string
	Amount   string // yuan; used only when the buyer enters the amount
	Method   string // used only when the link offers more than one
	ClientIP string
	// Visitor is the browser's payment-link cookie ("" when it sent none):
	// it tells the same payer ordering again from a neighbour on the same
	// address.
	Visitor string
	// Nonce is the form's one-time value: the same form sent twice (a double
	// tap, a resend after a weak connection) gives the same order.
	Nonce string
}

// CreateLinkOrder turns a buyer's choice on a payment link into an order.
// A link is open to anyone, so nobody may use it to hold the payable
// amounts of its price: the same visitor ordering again gets their open
// order back (or replaces it), one network and one link may hold only so
// many open orders (links.max_pending_per_ip, links.max_pending_per_link),
// link orders take at most half of a price's amounts (app.LinkSlots), and
// orders from one IP are rate limited (links.rate_limit).
func (g *Gateway) CreateLinkOrder(ctx context.Context, req LinkOrderRequest) (app.Order, error) {
	l, err := g.LinkByCode(ctx, req.Code)
	if err != nil {
		return app.Order{}, err
	}
	if !l.Enabled {
		return app.Order{}, errLinkDisabled
	}
	amount := l.Amount
	if l.BuyerAmount() {
		if amount, err = buyerAmount(req.Amount, l); err != nil {
			return app.Order{}, err
		}
	}
	method := l.Methods[0]
	if len(l.Methods) > 1 {
		m, err := ParseMethod(req.Method)
		if err != nil || !l.Allows(m) {
			return app.Order{}, app.NewError(app.EINVALID, "method", "请选择支付方式：支付宝或微信。", "Choose how to pay: Alipay or WeChat Pay.")
		}
		method = m
	}

	t := g.Tuning()
	now := g.db.Now()
	key := ""
	if n := strings.TrimSpace(req.Nonce); n != "" && len(n) <= 64 {
		key = l.Code + "|" + n + "|" + string(method) + "|" + amount.String()
		if id, ok := g.links.repeat(key, now); ok {
			if o, err := g.db.Order(ctx, id); err == nil && o.Status == app.OrderPending {
				return o, nil
			}
		}
	}
	visitor := app.LinkVisitor{ID: linkVisitorID(req.Visitor), Network: app.ClientNetwork(req.ClientIP)}
	// A payer who reloads the link, goes back to it or opens it in another
	// tab and orders the same again gets their open order: nothing new is
	// made, so the per-minute limit is not charged. (The store checks again
	// in its transaction.)
	if o, ok, err := g.db.VisitorLinkOrder(ctx, l.ID, visitor.ID); err != nil {
		return app.Order{}, err
	} else if ok && app.ReusableLinkOrder(o, method, amount, now, t.OrderLifetime) {
		if key != "" {
			g.links.remember(key, o.ID, now, o.ExpiresAt.Sub(now))
		}
		return o, nil
	}
	if wait := g.links.take(req.ClientIP, now); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		e := app.NewError(app.ERATELIMIT, "",
			fmt.Sprintf("下单太频繁：为了不让付款金额被占满，同一网络每分钟最多创建 %d 个订单。请 %d 秒后再试；如果你已经下过单，请回到那个付款页面付款。", g.links.perMinute, secs),
			fmt.Sprintf("Too many orders: to keep payment amounts free, one network may create at most %d orders a minute. Try again in %d seconds; if you already ordered, go back to that checkout page and pay there.", g.links.perMinute, secs))
		e.RetryAfter = time.Duration(secs) * time.Second
		return app.Order{}, e
	}

	in, err := validateOrder(OrderRequest{
		ProductName: l.ProductName, Amount: amount.String(), AmountPresent: true, PaymentMethod: string(method),
		Attach: "link:" + l.Code, ClientIP: req.ClientIP,
	}, t)
	if err != nil {
		return app.Order{}, err
	}
	in.LinkID, in.Visitor = l.ID, visitor
	res, err := g.db.CreateLinkOrder(ctx, newOrderID, in, g.linkLimits, t.OrderLifetime, t.Slots, t.Match.Grace)
	if app.ErrorCode(err) == app.ESLOTSFULL {
		return app.Order{}, errLinkSlotsFull
	}
	if err != nil {
		return app.Order{}, err
	}
	if res.Replaced != "" {
		g.log.Info("payment-link order replaced by the same visitor's next one", "link", l.Code, "replaced", res.Replaced, "order", res.Order.ID)
	}
	if key != "" {
		g.links.remember(key, res.Order.ID, now, t.OrderLifetime)
	}
	return res.Order, nil
}

// linkVisitorID is the visitor id stored with a link order: a hash of the
// browser's payment-link cookie, not the cookie itself, which is also what
// the payment-link form's CSRF token is bound to. "" for a missing or
// malformed cookie.
func linkVisitorID(cookie string) string {
	cookie = strings.TrimSpace(cookie)
	if len(cookie) < 16 || len(cookie) > 100 {
		return ""
	}
	sum := sha256.Sum256([]byte("paygate link visitor\x00" + cookie))
	return hex.EncodeToString(sum[:16])
}

// errLinkSlotsFull is slots_exhausted for a payer: their link may not choose
// another amount, and the counts of held and cooling amounts are the owner's
// business.
var errLinkSlotsFull = app.NewError(app.ESLOTSFULL, "",
	"这个价格现在等待付款的订单太多，暂时没有可用的付款金额：请过几分钟再试。如果你已经下过单，请回到那个付款页面付款。",
	"Too many orders at this price are waiting for payment, so no payable amount is free right now: try again in a few minutes. If you already ordered, go back to that checkout page and pay there.")

var errLinkDisabled = app.NewError(app.ECONFLICT, "link",
	"这个收款链接已被商家停用，暂时不能下单：请联系商家。",
	"The shop has turned this payment link off, so it cannot take orders now: contact the shop.")

// buyerAmount reads the amount a buyer typed and checks it against the link's range.
func buyerAmount(text string, l app.PaymentLink) (money.Fen, error) {
	rangeZh := l.MinAmount.Fixed2() + " 到 " + l.MaxAmount.Fixed2() + " 元"
	rangeEn := l.MinAmount.Fixed2() + " to " + l.MaxAmount.Fixed2() + " yuan"
	text = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(text), "¥"), "￥"))
	shown := app.ClipRunes(text, 20)
	if text == "" {
		return 0, app.NewError(app.EINVALID, "amount", "请输入金额："+rangeZh+"之间，例如 "+l.MinAmount.String()+"。",
			"Enter an amount of "+rangeEn+", e.g. "+l.MinAmount.String()+".")
	}
	f, err := money.ParseYuan(text)
	switch {
	case errors.Is(err, money.ErrTooPrecise):
		return 0, app.NewError(app.EINVALID, "amount", "金额最多两位小数（精确到分），你输入的是 "+shown+"。请输入 "+rangeZh+"之间的金额。",
			"The amount may have at most 2 decimals; you entered "+shown+". Enter an amount of "+rangeEn+".")
	case err != nil || f <= 0:
		return 0, app.NewError(app.EINVALID, "amount", "“"+shown+"”不是有效的金额：请输入 "+rangeZh+"之间的数字，例如 "+l.MinAmount.String()+"。",
			"“"+shown+"” is not an amount: enter a number of "+rangeEn+", e.g. "+l.MinAmount.String()+".")
	case f < l.MinAmount:
		return 0, app.NewError(app.EINVALID, "amount", "金额不能低于 "+l.MinAmount.Fixed2()+" 元（你输入的是 "+shown+"）：请输入 "+rangeZh+"之间的金额。",
			"The amount must be at least "+l.MinAmount.Fixed2()+" yuan (you entered "+shown+"): enter an amount of "+rangeEn+".")
	case f > l.MaxAmount:
		return 0, app.NewError(app.EINVALID, "amount", "金额不能高于 "+l.MaxAmount.Fixed2()+" 元（你输入的是 "+shown+"）：请输入 "+rangeZh+"之间的金额。",
			"The amount must be at most "+l.MaxAmount.Fixed2()+" yuan (you entered "+shown+"): enter an amount of "+rangeEn+".")
	}
	return f, nil
}

// linkGuard rate-limits link orders per client IP and remembers submitted
// forms, so a resent form gives the order it already made.
type linkGuard struct {
	perMinute int // 0 = no limit

	mu     sync.Mutex
	byIP   map[string]*rate.Limiter
	nonces map[string]linkNonce
}

type linkNonce struct {
	orderID string
	until   time.Time
}

const linkGuardKeep = 10000 // buckets and nonces kept before old ones are dropped

func newLinkGuard(perMinute int) *linkGuard {
	return &linkGuard{perMinute: perMinute, byIP: map[string]*rate.Limiter{}, nonces: map[string]linkNonce{}}
}

// take uses one order from ip's allowance: a burst of perMinute, refilled at
// perMinute a minute. It returns how long to wait when none is left (0 = go).
func (g *linkGuard) take(ip string, now time.Time) time.Duration {
	if g.perMinute <= 0 {
		return 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	l, ok := g.byIP[ip]
	if !ok {
		if len(g.byIP) >= linkGuardKeep {
			for k, old := range g.byIP {
				if old.TokensAt(now) >= float64(old.Burst()) {
					delete(g.byIP, k)
				}
			}
		}
		l = rate.NewLimiter(rate.Every(time.Minute/time.Duration(g.perMinute)), g.perMinute)
		g.byIP[ip] = l
	}
	if l.AllowN(now, 1) {
		return 0
	}
	tokens := l.TokensAt(now)
	return time.Duration((1 - tokens) / float64(l.Limit()) * float64(time.Second))
}

func (g *linkGuard) repeat(key string, now time.Time) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	n, ok := g.nonces[key]
	if !ok || now.After(n.until) {
		return "", false
	}
	return n.orderID, true
}

func (g *linkGuard) remember(key, orderID string, now time.Time, ttl time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.nonces) >= linkGuardKeep {
		for k, n := range g.nonces {
			if now.After(n.until) {
				delete(g.nonces, k)
			}
		}
	}
	if len(g.nonces) < 2*linkGuardKeep {
		g.nonces[key] = linkNonce{orderID: orderID, until: now.Add(ttl)}
	}
}
