package app

import (
	"time"

	"paygate/app/money"
)

// PeriodStats sums up a time range for the dashboard.
type PeriodStats struct {
	From, To       time.Time
	Revenue        money.Fen // paid orders' payments, by payment time
	Orders         int       // orders created in the range
	Paid           int       // of those, paid
	Finished       int       // of those, no longer pending (paid, expired or closed)
	Pending        int       // of those, still waiting for the payer
	AvgPaySeconds  float64   // mean time from creation to payment, of paid orders
	PaidInRange    int       // orders paid in the range, whenever created
	UnmatchedCount int       // payments received in the range still waiting for a person
	// ByMethod is the revenue of the range by the method the money came by
	// (the order's when the notification did not say).
	ByMethod map[Method]Takings
}

// SuccessRate is paid / finished orders, 0..1; -1 when none finished.
// Orders still waiting for the payer are left out: they have not failed.
func (s PeriodStats) SuccessRate() float64 {
	if s.Finished == 0 {
		return -1
	}
	return float64(s.Paid) / float64(s.Finished)
}

// Takings is money matched to orders: how much, in how many payments.
type Takings struct {
	Revenue  money.Fen
	Payments int
}

// DayRevenue is one day (Shanghai) of the revenue chart.
type DayRevenue struct {
	Day     time.Time // midnight, Shanghai
	Revenue money.Fen
	Orders  int
}

// Attention is what waits for a person.
type Attention struct {
	Unmatched        int       // payments no order was found for
	UnmatchedTotal   money.Fen // the money they brought
	CallbacksFailing int       // shop notifications failed, or failing and retried
}
