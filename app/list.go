package app

import "time"

// Page is a page of a list.
type Page struct {
	Number int // from 1
	Limit  int
}

// Offset is how many rows come before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Limit }

// ListCountCap is where the console's lists stop counting ("10000+"):
// an exact count of a million rows costs a second and tells nobody anything.
const ListCountCap = 10000

// OrderFilter narrows the orders listed or exported. Zero values mean "any".
type OrderFilter struct {
	Status OrderStatus
	Method Method
	From   time.Time // created at or after
	To     time.Time // created before
	Query  string    // order id, the shop's order number, part of the product name, or an amount
	Unpaid bool      // only orders a payment may still pay: pending or expired
	Offset int
	Limit  int
	// CountCap, when set, stops counting there: lists show "10000+" rather
	// than scan a million rows for an exact number nobody reads.
	CountCap int
}

// PaymentFilter narrows the payments listed.
type PaymentFilter struct {
	Status   PaymentStatus // "" = all
	Offset   int
	Limit    int
	CountCap int // see OrderFilter.CountCap; 0 = exact
}

// CallbackFilter narrows the callbacks listed.
type CallbackFilter struct {
	// Status: "" = all, "failing" = failed or retrying after an error, else a CallbackStatus.
	Status string
	Offset int
	Limit  int
}

// NotificationFilter narrows the stored forwarder requests listed.
type NotificationFilter struct {
	DeviceID int64  // 0 = all
	Outcome  string // "" = all
	Offset   int
	Limit    int
	CountCap int // see OrderFilter.CountCap; 0 = exact
}

// AuditFilter narrows the audit log listed.
type AuditFilter struct {
	Subject string // "" = all
	Offset  int
	Limit   int
}
