// Package console holds the read models of the pages paygate shows: the
// admin console's pages and the payer's checkout page. The gateway returns
// them, the web layer hands them to the views, and the views import nothing
// else of paygate but the domain (app, money). Plain data, built from domain
// types; the rules that fill them live in the gateway.
package console

import (
	"time"

	"paygate/app"
	"paygate/app/money"
)

// AdminFrame is what every console page shows around its content.
type AdminFrame struct {
	ShopName         string
	Unmatched        int
	CallbacksFailing int
}

// Dashboard is the admin home page: three periods side by side, revenue per
// day, and what waits for a person.
type Dashboard struct {
	Now       time.Time
	Today     app.PeriodStats
	Yesterday app.PeriodStats // the whole of yesterday
	// YesterdaySoFar is yesterday up to this time of day, to compare today with.
	YesterdaySoFar   app.Takings
	Week             app.PeriodStats // the last 7 days, today included
	Month            app.PeriodStats // the last 30 days, today included
	Days             []app.DayRevenue
	Unmatched        int
	UnmatchedTotal   money.Fen // the money the unmatched payments brought
	CallbacksFailing int
	Recent           []app.Payment // the newest payments, newest first
	Devices          []app.Device
	// Phones are the devices that stand for a phone: the API-key stand-in
	// ("使用商户 API 密钥的手机") only while no phone has its own key, as then
	// it is the shop's one phone; afterwards it is not a second phone.
	Phones       []app.Device
	MissingPayQR []app.Method // methods payers need a 收款码 for that is not uploaded

	// NotificationsFailing counts stored notifications that could not be
	// applied after several tries (outcome error).
	NotificationsFailing int
}
