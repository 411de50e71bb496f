package console

import "paygate/app"

// PaymentDetail is a payment with its callback log, what people did to it,
// and, while it waits, the orders it may pay.
type PaymentDetail struct {
	Payment      app.Payment
	Notification app.NotificationText
	Candidates   []app.CandidateOrder
	Attempts     []app.CallbackAttempt
	Audit        []app.AuditEntry
}
