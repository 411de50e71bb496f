package console

import (
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

	// Browser is where the payer reads the page (their User-Agent).
	Browser app.Browser
	// Offered are the methods the payer may pick or switch to: those the shop
	// has a 收款码 for, within the payment link's; the one that pays inside
	// the payer's app first. An order without a method shows them to choose.
	Offered []app.Method
	// CanSwitch: the pending order may still switch to another offered
	// method (app.MaxMethodSwitches not reached).
	CanSwitch bool
	// Contact is how the payer reaches the shop, set in the settings.
	Contact app.ShopContact
	// Home is the way back to the shop for a payer who cannot pay (any
	// more): app.ShopHome. "" when unknown.
	Home string
}

// SwitchTo are the offered methods other than the order's own.
func (c Checkout) SwitchTo() []app.Method {
	if !c.CanSwitch {
		return nil
	}
	var out []app.Method
	for _, m := range c.Offered {
		if m != c.Order.Method {
			out = append(out, m)
		}
	}
	return out
}
