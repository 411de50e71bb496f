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
}
