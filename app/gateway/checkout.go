package gateway

import (
	"context"
	"slices"

	"paygate/app"
	"paygate/app/console"
)

// Checkout returns what the payer's page shows for an order, read in
// browser b. An order without a method gets one here when there is nothing
// to choose — the shop has a 收款码 for one method only (within the order's
// payment link) — or when the payer's app pays by one of the offered
// methods (WeChat Pay inside WeChat, Alipay inside Alipay): the page then
// shows that code at once, and the payer may still switch.
func (g *Gateway) Checkout(ctx context.Context, orderID string, b app.Browser) (console.Checkout, error) {
	o, err := g.Order(ctx, orderID)
	if err != nil {
		return console.Checkout{}, err
	}
	c := console.Checkout{Order: o, Now: g.db.Now(), Browser: b}
	s, err := g.db.Settings(ctx)
	if err != nil {
		return console.Checkout{}, err
	}
	c.Shop = s.Name
	if c.Contact, err = g.ShopContact(ctx); err != nil {
		return console.Checkout{}, err
	}
	c.Home = app.ShopHome(c.Contact, o.ReturnURL)
	if o.Status == app.OrderPending {
		offered, switches, err := g.offer(ctx, o)
		if err != nil {
			return console.Checkout{}, err
		}
		c.Offered, c.CanSwitch = b.Prefer(offered), switches < app.MaxMethodSwitches
		if m := autoMethod(b, c.Offered); !o.MethodChosen() && m != "" {
			chosen, err := g.choose(ctx, o, m, offered, s)
			switch app.ErrorCode(err) {
			case "":
				o, c.Order = chosen, chosen
			case app.EINVALID, app.ECONFLICT, app.ESLOTSFULL:
				// The chooser shows; picking there says what is wrong.
			default:
				return console.Checkout{}, err
			}
		}
		if o.MethodChosen() {
			if c.QR, c.HasQR, err = g.db.PayQRFor(ctx, o.Method, o.PayAmount); err != nil {
				return console.Checkout{}, err
			}
		}
	}
	if c.LinkCode, c.ReplacedBy, err = g.db.OrderLink(ctx, o.ID); err != nil {
		return console.Checkout{}, err
	}
	return c, nil
}

// autoMethod is the method an order without one gets as soon as its page
// opens: the only one offered, or the one the payer's app pays by; "" when
// the payer has a real choice.
func autoMethod(b app.Browser, offered []app.Method) app.Method {
	if len(offered) == 1 {
		return offered[0]
	}
	for _, m := range offered {
		if m == b.Method() {
			return m
		}
	}
	return ""
}

// ChooseMethod is the payer picking (or switching to) method on the
// checkout page of order id: a free amount slot in it, the old slot cooling.
func (g *Gateway) ChooseMethod(ctx context.Context, id, method string) (app.Order, error) {
	o, err := g.Order(ctx, id)
	if err != nil {
		return app.Order{}, err
	}
	m, err := ParseMethod(method)
	if err != nil {
		return app.Order{}, app.NewError(app.EINVALID, "method", "请选择支付方式：支付宝或微信。", "Choose how to pay: Alipay or WeChat Pay.")
	}
	offered, _, err := g.offer(ctx, o)
	if err != nil {
		return app.Order{}, err
	}
	s, err := g.db.Settings(ctx)
	if err != nil {
		return app.Order{}, err
	}
	return g.choose(ctx, o, m, offered, s)
}

func (g *Gateway) choose(ctx context.Context, o app.Order, m app.Method, offered []app.Method, s app.Settings) (app.Order, error) {
	t := g.Tuning()
	chosen, err := g.db.ChooseMethod(ctx, o.ID, m, offered, t.Slots, t.Match.Grace, epayReturnURL(s.APIKey))
	if app.ErrorCode(err) == app.ESLOTSFULL {
		// The counts of held and cooling amounts are the owner's business.
		return app.Order{}, errChoiceSlotsFull(m)
	}
	if err == nil && chosen.Method != o.Method && o.MethodChosen() {
		g.log.Info("payer switched method", "order", o.ID, "from", string(o.Method), "to", string(m), "amount", chosen.PayAmount.String())
	}
	return chosen, err
}

func errChoiceSlotsFull(m app.Method) error {
	return app.NewError(app.ESLOTSFULL, "method",
		"现在用"+m.Label("zh")+"付这个金额的人太多，暂时没有可用的付款金额：请换一种支付方式，或过几分钟再试。",
		"Too many people are paying this price by "+m.Label("en")+" right now, so no payable amount is free: choose the other way to pay, or try again in a few minutes.")
}

// offer is the methods the payer of o may pick: those with a 收款码, within
// its payment link's methods; and how often o has switched already.
func (g *Gateway) offer(ctx context.Context, o app.Order) ([]app.Method, int, error) {
	qrs, err := g.db.PayQRs(ctx)
	if err != nil {
		return nil, 0, err
	}
	linkMethods, switches, err := g.db.OrderOffer(ctx, o)
	if err != nil {
		return nil, 0, err
	}
	var out []app.Method
	for _, m := range []app.Method{app.MethodAlipay, app.MethodWechat} {
		if _, ok := qrs[m]; ok && (linkMethods == nil || slices.Contains(linkMethods, m)) {
			out = append(out, m)
		}
	}
	return out, switches, nil
}

// CheckoutCode is the 收款码 the payer of pending order id must scan, for
// saving as a picture.
func (g *Gateway) CheckoutCode(ctx context.Context, id string) (app.Order, app.PayQR, error) {
	o, err := g.Order(ctx, id)
	if err != nil {
		return app.Order{}, app.PayQR{}, err
	}
	if o.Status != app.OrderPending || !o.MethodChosen() {
		return app.Order{}, app.PayQR{}, app.NewError(app.ENOTFOUND, "orderId",
			"这笔订单现在没有要扫的收款码：请回到付款页面。", "This order has no code to scan now: go back to its checkout page.")
	}
	q, found, err := g.db.PayQRFor(ctx, o.Method, o.PayAmount)
	if err == nil && !found {
		err = app.NewError(app.ENOTFOUND, "orderId", "商家尚未设置收款码。", "The shop has not set up its payment code.")
	}
	return o, q, err
}

// MissingPayQRs are the methods payers need a 收款码 for that the owner has
// not uploaded: both when none is uploaded at all, else the methods that
// recent orders (30 days) used or an enabled payment link offers.
func (g *Gateway) MissingPayQRs(ctx context.Context) ([]app.Method, error) {
	qrs, err := g.db.PayQRs(ctx)
	if err != nil {
		return nil, err
	}
	all := []app.Method{app.MethodAlipay, app.MethodWechat}
	if len(qrs) == 0 {
		return all, nil
	}
	inUse, err := g.db.MethodsInUse(ctx, g.db.Now().AddDate(0, 0, -30))
	if err != nil {
		return nil, err
	}
	var out []app.Method
	for _, m := range all {
		if _, ok := qrs[m]; !ok && inUse[m] {
			out = append(out, m)
		}
	}
	return out, nil
}

// LinkMethods are the methods a payment link's buyer may choose: the link's
// methods the shop has a 收款码 for — or, while it has none for any of
// them, all the link's methods: the order is taken, and its checkout page
// says the code is missing and how to reach the shop (the console warns
// the owner).
func (g *Gateway) LinkMethods(ctx context.Context, l app.PaymentLink) ([]app.Method, error) {
	qrs, err := g.db.PayQRs(ctx)
	if err != nil {
		return nil, err
	}
	var out []app.Method
	for _, m := range l.Methods {
		if _, ok := qrs[m]; ok {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return l.Methods, nil
	}
	return out, nil
}
