package app

import (
	"time"

	"paygate/app/money"
)

// PayQR is a 收款码 of one payment method: the picture and what it encodes.
type PayQR struct {
	Method      Method
	Amount      money.Fen // 0: the method's general code; else a fixed-amount code for exactly this amount
	Image       []byte
	ContentType string
	Payload     string
	UpdatedAt   time.Time
}
