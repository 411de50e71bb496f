package app

import (
	"fmt"
	"time"

	"paygate/app/money"
)

// SlotMode is the order in which payable amounts near the asked one are tried.
type SlotMode string

const (
	SlotAlternate SlotMode = "alternate" // A, A+0.01, A−0.01, A+0.02 …
	SlotUp        SlotMode = "up"        // A, A+0.01, A+0.02 …
	SlotDown      SlotMode = "down"      // A, A−0.01, A−0.02 …
)

// SlotPolicy bounds the search for a free payable amount.
type SlotPolicy struct {
	Mode      SlotMode
	MaxOffset money.Fen // furthest the payable amount may move from the asked one
}

// Candidates returns the payable amounts to try for asked, best first.
func (p SlotPolicy) Candidates(asked money.Fen) []money.Fen {
	out := make([]money.Fen, 0, 2*int(p.MaxOffset)+1)
	out = append(out, asked)
	for d := money.Fen(1); d <= p.MaxOffset; d++ {
		up, down := asked+d, asked-d
		switch p.Mode {
		case SlotUp:
			out = append(out, up)
		case SlotDown:
			if down >= 1 {
				out = append(out, down)
			}
		default:
			out = append(out, up)
			if down >= 1 {
				out = append(out, down)
			}
		}
	}
	return out
}

// PickSlot returns the first of candidates (best first, as
// SlotPolicy.Candidates gives them) that is neither held by a pending order
// nor cooling, and false when every one is. A cooling amount was released by
// a paid, expired or closed order within the match grace period: a late or
// repeated notification for that order could still arrive, and it must not
// find a new order on the same amount.
func PickSlot(candidates []money.Fen, held, cooling map[money.Fen]bool) (money.Fen, bool) {
	for _, c := range candidates {
		if !held[c] && !cooling[c] {
			return c, true
		}
	}
	return 0, false
}

// LinkSlots returns the candidates a payment-link order may take: the first
// half of them in policy order (rounded down, but at least one). A link is
// open to anyone, so whoever orders through links, and however many, their
// orders never hold nor cool more than half of a price's payable amounts:
// the other half stays for the merchant's own API and 易支付 orders, which
// may take any candidate — a merchant's API order at a link's price finds an
// amount even while the links are full. The links get the half nearest the
// asked price (the policy's best first), so a link payer's amount moves by at
// most half the offset; API orders take the nearest free amount as before,
// and reach the far half only when the near one is taken. With a single
// candidate (an offset of 0) there is nothing to share.
func LinkSlots(candidates []money.Fen) []money.Fen {
	n := max(len(candidates)/2, 1)
	return candidates[:min(n, len(candidates))]
}

// SlotsExhausted is the error for an order asking for asked when PickSlot
// found none of candidates free: it says how many are held by pending orders
// and how many are cooling (released within cooldown, the match grace period).
func SlotsExhausted(asked money.Fen, p SlotPolicy, cooldown time.Duration, candidates []money.Fen, held, cooling map[money.Fen]bool) *Error {
	nHeld, nCooling := 0, 0
	for _, c := range candidates {
		switch {
		case held[c]:
			nHeld++
		case cooling[c]:
			nCooling++
		}
	}
	if nCooling == 0 {
		return NewError(ESLOTSFULL, "amount",
			fmt.Sprintf("%s 元附近的可用支付金额已被未支付的订单占满（最多调整 ±%s 元）：请等几分钟让旧订单过期，或换一个金额。", asked.Fixed2(), p.MaxOffset.Fixed2()),
			fmt.Sprintf("Every payable amount near %s yuan (within ±%s) is held by an unpaid order: wait a few minutes for old orders to expire, or use another amount.", asked.Fixed2(), p.MaxOffset.Fixed2()))
	}
	zh, en := durationText(cooldown)
	return NewError(ESLOTSFULL, "amount",
		fmt.Sprintf("%s 元附近的可用支付金额已用完（最多调整 ±%s 元）：%d 个被未支付的订单占用，%d 个在最近 %s内刚被已支付、过期或关闭的订单释放——释放的金额要过 %s才能再用，免得迟到或重复的收款通知把新订单错标为已支付。请稍后再试，或换一个金额。",
			asked.Fixed2(), p.MaxOffset.Fixed2(), nHeld, nCooling, zh, zh),
		fmt.Sprintf("Every payable amount near %s yuan (within ±%s) is in use: %d held by unpaid orders, %d released within the last %s by paid, expired or closed orders — a released amount is reused only after %s, so that a late or repeated payment notification cannot mark a new order paid. Try again in a few minutes, or use another amount.",
			asked.Fixed2(), p.MaxOffset.Fixed2(), nHeld, nCooling, en, en))
}

// durationText says d for people, in Chinese and English, in the largest
// unit (hours, minutes, seconds) that says it exactly; seconds round up.
func durationText(d time.Duration) (zh, en string) {
	n, zhUnit, enUnit := int((d+time.Second-1)/time.Second), "秒", "second"
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		n, zhUnit, enUnit = int(d/time.Hour), "小时", "hour"
	case d >= time.Minute && d%time.Minute == 0:
		n, zhUnit, enUnit = int(d/time.Minute), "分钟", "minute"
	}
	if n != 1 {
		enUnit += "s"
	}
	return fmt.Sprintf("%d %s", n, zhUnit), fmt.Sprintf("%d %s", n, enUnit)
}
