package gateway

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"paygate/app"
	"paygate/app/console"
)

// maxPageLimit bounds list pages.
const maxPageLimit = 100

// ParsePage reads page and limit query values; empty means page 1, limit 20.
func ParsePage(page, limit string) (app.Page, error) {
	p := app.Page{Number: 1, Limit: 20}
	if s := strings.TrimSpace(page); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return p, app.NewError(app.EINVALID, "page",
				"page 必须是从 1 开始的整数（收到 "+app.Clip(s, 20)+"）。",
				"page must be a whole number from 1 (got "+app.Clip(s, 20)+").")
		}
		p.Number = n
	}
	if s := strings.TrimSpace(limit); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageLimit {
			return p, app.NewError(app.EINVALID, "limit",
				fmt.Sprintf("limit 必须是 1 到 %d 之间的整数（收到 %s）。", maxPageLimit, app.Clip(s, 20)),
				fmt.Sprintf("limit must be a whole number from 1 to %d (got %s).", maxPageLimit, app.Clip(s, 20)))
		}
		p.Limit = n
	}
	return p, nil
}

// Payments lists payments newest first, with the exact total (the API's contract).
func (g *Gateway) Payments(ctx context.Context, status app.PaymentStatus, p app.Page) ([]app.Payment, int, error) {
	return g.db.ListPayments(ctx, app.PaymentFilter{Status: status, Offset: p.Offset(), Limit: p.Limit})
}

// PaymentsForConsole lists payments newest first, counting up to app.ListCountCap.
func (g *Gateway) PaymentsForConsole(ctx context.Context, status app.PaymentStatus, p app.Page) ([]app.Payment, int, error) {
	return g.db.ListPayments(ctx, app.PaymentFilter{Status: status, Offset: p.Offset(), Limit: p.Limit, CountCap: app.ListCountCap})
}

// Payment returns one payment.
func (g *Gateway) Payment(ctx context.Context, id string) (app.Payment, error) {
	return g.db.Payment(ctx, strings.TrimSpace(id))
}

// ConfirmPayment is a person deciding that an unmatched payment pays an
// order (s.OrderRef: paygate's order id or the shop's own order number); by
// is who. The order is paid as of when the money arrived, and the shop is
// told what arrived when it is not what the order asked (receivedAmount).
func (g *Gateway) ConfirmPayment(ctx context.Context, s app.Settlement, by string) (app.Payment, error) {
	s.PaymentID, s.OrderRef = strings.TrimSpace(s.PaymentID), strings.TrimSpace(s.OrderRef)
	if s.OrderRef == "" {
		return app.Payment{}, app.NewError(app.EINVALID, "orderId",
			"缺少订单号 orderId：请指明这笔收款属于哪个订单（paygate 的订单号或商城自己的订单号）。",
			"orderId is missing: say which order this payment pays (paygate's order id or the shop's own order number).")
	}
	var err error
	if s.Why, err = settleWhy(s.Why); err != nil {
		return app.Payment{}, err
	}
	if s.Note, err = manualNote(s.Note, false); err != nil {
		return app.Payment{}, err
	}
	p, err := g.db.ConfirmPayment(ctx, s, by, g.notifier.FirstDelay())
	if err == nil {
		g.log.Info("payment confirmed by hand", "payment", p.ID, "order", p.OrderID, "by", by)
		g.notifier.Wake()
	}
	return p, err
}

// settleWhy accepts a suggestion's reason (app.CandidateOrder.Why) or none.
func settleWhy(why string) (string, error) {
	switch why = strings.TrimSpace(why); why {
	case "", "pending", "pending_method_unknown", "several", "previous_holder", "expired", "late",
		"other_method", "listed_price", "near_amount", "moved", "search":
		return why, nil
	}
	return "", app.NewError(app.EINVALID, "why",
		"why 不是 paygate 给出的匹配理由：留空即可。", "why is not one of paygate's match reasons: leave it out.")
}

// maxNoteRunes bounds what a person writes about a manual action.
const maxNoteRunes = 200

// manualNote checks what a person writes about a manual action.
func manualNote(note string, required bool) (string, error) {
	note = strings.TrimSpace(note)
	if required && note == "" {
		return "", app.NewError(app.EINVALID, "note",
			"请写明原因，例如“手机关机，顾客出示了付款截图”：它会记入操作记录。",
			"Say why, e.g. \"the phone was off; the buyer showed the receipt\": it goes into the activity log.")
	}
	if utf8.RuneCountInString(note) > maxNoteRunes {
		return "", app.NewError(app.EINVALID, "note",
			fmt.Sprintf("说明最多 %d 个字，请写短一些。", maxNoteRunes),
			fmt.Sprintf("The note may have at most %d characters; shorten it.", maxNoteRunes))
	}
	return note, nil
}

// IgnorePayment is a person (by) deciding that an unmatched payment pays no
// order; note says why (optional), for the activity log.
func (g *Gateway) IgnorePayment(ctx context.Context, paymentID, note, by string) (app.Payment, error) {
	note, err := manualNote(note, false)
	if err != nil {
		return app.Payment{}, err
	}
	return g.db.IgnorePayment(ctx, strings.TrimSpace(paymentID), note, by)
}

// RecordPayment is 手动补单: a person (by) says money arrived for an order
// that no phone reported. It is recorded with their note and pays the
// order as of when the money arrived; the shop is called back as for any
// payment, with receivedAmount when the amount differs from the order's.
func (g *Gateway) RecordPayment(ctx context.Context, m app.ManualPayment, by string) (app.Payment, error) {
	p, err := g.db.RecordPayment(ctx, m, newPaymentID(), by, g.notifier.FirstDelay())
	if err == nil {
		g.log.Info("payment recorded by hand", "payment", p.ID, "order", p.OrderID, "by", by)
		g.notifier.Wake()
	}
	return p, err
}

// ParseManualPayment reads the 手动补单 form of order o: the amount (the
// order's payable amount when empty), the method (the order's when empty),
// when the money arrived (Shanghai, "2006-01-02T15:04" as a datetime-local
// field sends it, or with seconds; not in the future, at most 30 days ago)
// and why (required).
func (g *Gateway) ParseManualPayment(o app.Order, f console.ManualPaymentForm) (app.ManualPayment, error) {
	m := app.ManualPayment{OrderID: o.ID, Method: o.Method, Amount: o.PayAmount}
	var err error
	if s := strings.TrimSpace(f.Amount); s != "" {
		if m.Amount, err = app.ParseAmount("amount", s, true, 1, 100_000_000); err != nil {
			return m, err
		}
	}
	if s := strings.TrimSpace(f.Method); s != "" {
		if m.Method, err = ParseMethod(s); err != nil {
			return m, err
		}
	}
	if !m.Method.Valid() {
		return m, app.NewError(app.EINVALID, "method",
			"请选择钱是从支付宝还是微信付来的。", "Say whether the money came by Alipay or WeChat Pay.")
	}
	now := g.db.Now()
	m.ReceivedAt = now
	if s := strings.TrimSpace(f.ReceivedAt); s != "" {
		at, err := parseLocalTime(s)
		if err != nil {
			return m, err
		}
		if at.After(now.Add(time.Minute)) {
			return m, app.NewError(app.EINVALID, "receivedAt",
				"到账时间不能晚于现在：请填写钱实际到账的时间。",
				"The time the money arrived cannot be in the future: enter when it actually arrived.")
		}
		if at.Before(now.AddDate(0, 0, -30)) {
			return m, app.NewError(app.EINVALID, "receivedAt",
				"到账时间超过 30 天前：这么久之前的钱请和商城直接核对，不要补单。",
				"The money arrived more than 30 days ago: settle it with the shop directly instead.")
		}
		m.ReceivedAt = at
	}
	m.Note, err = manualNote(f.Note, true)
	return m, err
}

// parseLocalTime reads a Shanghai time as a datetime-local field or a person writes it.
func parseLocalTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", app.TimeLayout} {
		if t, err := time.ParseInLocation(layout, s, app.Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, app.NewError(app.EINVALID, "receivedAt",
		"到账时间格式不对（收到 "+app.Clip(s, 30)+"）：请写成 2026-01-31 14:05。",
		"The time the money arrived is not valid (got "+app.Clip(s, 30)+"): write it as 2026-01-31 14:05.")
}

// ResendCallback queues a payment's callback again; by is who asked.
func (g *Gateway) ResendCallback(ctx context.Context, paymentID, by string) error {
	err := g.db.ResendCallback(ctx, strings.TrimSpace(paymentID), by)
	if err == nil {
		g.notifier.Wake()
	}
	return err
}

// CallbackAttempts returns the attempt log of a payment's callback.
func (g *Gateway) CallbackAttempts(ctx context.Context, paymentID string) ([]app.CallbackAttempt, error) {
	return g.db.CallbackAttempts(ctx, strings.TrimSpace(paymentID))
}
