package gateway

import (
	"context"

	"paygate/app"
	"paygate/app/console"
)

// Checkout returns the order with the code its payer must scan.
func (g *Gateway) Checkout(ctx context.Context, orderID string) (console.Checkout, error) {
	o, err := g.Order(ctx, orderID)
	if err != nil {
		return console.Checkout{}, err
	}
	c := console.Checkout{Order: o, Now: g.db.Now()}
	s, err := g.db.Settings(ctx)
	if err != nil {
		return console.Checkout{}, err
	}
	c.Shop = s.Name
	if o.Status == app.OrderPending {
		if c.QR, c.HasQR, err = g.db.PayQRFor(ctx, o.Method, o.PayAmount); err != nil {
			return console.Checkout{}, err
		}
	}
	if c.LinkCode, c.ReplacedBy, err = g.db.OrderLink(ctx, o.ID); err != nil {
		return console.Checkout{}, err
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
