package gateway

import (
	"context"
	"time"

	"paygate/app"
)

// Checkout is what the payer's page shows for one order.
type Checkout struct {
	Order app.Order
	Shop  string // the shop's name, "" when the owner has not set one
	// QR is the 收款码 to scan: the fixed-amount code for exactly the payable
	// amount if the owner uploaded one (QR.Amount > 0), else the method's
	// general code. HasQR is false when the owner uploaded none for the method.
	QR    app.PayQR
	HasQR bool
	// LinkCode is the payment link the order came from, so an expired
	// order's page can offer a fresh one; "" for orders made through the API.
	LinkCode string
	// ReplacedBy is the order its payer made next on the same link, which
	// closed this one: its page leads there. "" when none.
	ReplacedBy string
	Now        time.Time
}

// Checkout returns the order with the code its payer must scan.
func (g *Gateway) Checkout(ctx context.Context, orderID string) (Checkout, error) {
	o, err := g.Order(ctx, orderID)
	if err != nil {
		return Checkout{}, err
	}
	c := Checkout{Order: o, Now: g.db.Now()}
	s, err := g.db.Settings(ctx)
	if err != nil {
		return Checkout{}, err
	}
	c.Shop = s.Name
	if o.Status == app.OrderPending {
		if c.QR, c.HasQR, err = g.db.PayQRFor(ctx, o.Method, o.PayAmount); err != nil {
			return Checkout{}, err
		}
	}
	if c.LinkCode, c.ReplacedBy, err = g.db.OrderLink(ctx, o.ID); err != nil {
		return Checkout{}, err
	}
	return c, nil
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
