package console

import (
	"time"

	"paygate/app"
)

// OrderQuery is the orders page's filter form, as text.
type OrderQuery struct {
	Status, Method, From, To, Q, Page string
}

// OrderTimeline is an order with everything that happened to it.
type OrderTimeline struct {
	Order    app.Order
	Payment  *app.Payment
	Attempts []app.CallbackAttempt
	Audit    []app.AuditEntry
	// Unmatched, while the order is unpaid, are the payments waiting for a
	// person, the likeliest to be this order's money first (手动补单).
	Unmatched []app.PaymentFit
	Now       time.Time
}

// Arrivals are new payments for the 收款播报, and the cursor to ask from next.
type Arrivals struct {
	Last int64 // the Seq to send as after next time
	List []app.Arrival
}
