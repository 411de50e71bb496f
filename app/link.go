package app

import (
	"strings"
	"time"

	"paygate/app/money"
)

// PaymentLink lets a shop owner without a website sell: a buyer who opens
// /l/{Code} gets an order for the product and lands on the checkout page.
type PaymentLink struct {
	ID          int64
	Code        string // short random code in the URL
	ProductName string
	// Amount is the fixed price; 0 means the buyer enters an amount
	// between MinAmount and MaxAmount.
	Amount    money.Fen
	MinAmount money.Fen
	MaxAmount money.Fen
	Methods   []Method // the methods a buyer may choose, at least one
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BuyerAmount reports whether the buyer enters the amount.
func (l PaymentLink) BuyerAmount() bool { return l.Amount == 0 }

// Allows reports whether the link accepts method m.
func (l PaymentLink) Allows(m Method) bool {
	for _, x := range l.Methods {
		if x == m {
			return true
		}
	}
	return false
}

// MethodsText is the methods as stored: "alipay", "wechat" or "alipay,wechat".
func (l PaymentLink) MethodsText() string {
	parts := make([]string, len(l.Methods))
	for i, m := range l.Methods {
		parts[i] = string(m)
	}
	return strings.Join(parts, ",")
}

// ParseMethods reads MethodsText back; unknown names are dropped.
func ParseMethods(s string) []Method {
	var out []Method
	for _, p := range strings.Split(s, ",") {
		if m := Method(strings.TrimSpace(p)); m.Valid() {
			out = append(out, m)
		}
	}
	return out
}

// LinkSummary is a payment link with what it has brought in.
type LinkSummary struct {
	PaymentLink
	Orders  int       // orders created from it
	Paid    int       // of those, paid
	Revenue money.Fen // sum paid
}

// Audit actions of payment links and fixed-amount 收款码.
const (
	AuditLinkCreate      = "link.create"
	AuditLinkEnable      = "link.enable"
	AuditLinkDisable     = "link.disable"
	AuditLinkDelete      = "link.delete"
	AuditPayQRAmount     = "settings.pay_qr_amount"
	AuditPayQRAmountDrop = "settings.pay_qr_amount_delete"
)
