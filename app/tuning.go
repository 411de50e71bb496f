package app

import (
	"fmt"
	"time"

	"paygate/app/money"
)

// Tuning are the order and matching rules a shop owner may change at run
// time on the settings page.
//
// One source of truth per value: a value set explicitly in config.yaml or the
// environment is pinned and wins; any other value is the built-in default
// until changed in the console, which stores it in the database. The settings
// page shows each value's source.
type Tuning struct {
	OrderLifetime time.Duration
	MinAmount     money.Fen
	MaxAmount     money.Fen
	Slots         SlotPolicy
	Match         MatchPolicy
}

// String describes t for logs.
func (t Tuning) String() string {
	return fmt.Sprintf("lifetime=%s amounts=%s..%s slots=%s±%s window=%s grace=%s auto=%s",
		t.OrderLifetime, t.MinAmount, t.MaxAmount, t.Slots.Mode, t.Slots.MaxOffset, t.Match.Window, t.Match.Grace, t.Match.AutoConfirm)
}
