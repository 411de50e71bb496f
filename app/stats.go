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
	AvgPaySeconds  float64   // mean time from creation to payment, of paid orders
	PaidInRange    int       // orders paid in the range, whenever created
	UnmatchedCount int       // payments received in the range still waiting for a person
}

// SuccessRate is paid / finished orders, 0..1; -1 when none finished.
func (s PeriodStats) SuccessRate() float64 {
	if s.Finished == 0 {
		return -1
	}
	return float64(s.Paid) / float64(s.Finished)
}

// DayRevenue is one day (Shanghai) of the revenue chart.
type DayRevenue struct {
	Day     time.Time // midnight, Shanghai
	Revenue money.Fen
	Orders  int
}
