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

// ManualPaymentForm is the order page's 手动补单 form, as text.
type ManualPaymentForm struct {
	Amount     string // yuan; empty: the order's payable amount
	Method     string // alipay or wechat; empty: the order's
	ReceivedAt string // when the money arrived, Shanghai; empty: now
	Note       string // why, required
}
