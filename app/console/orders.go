package console

import "paygate/app"

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
}
