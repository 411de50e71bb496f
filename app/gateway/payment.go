package gateway

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"paygate/app"
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

// ConfirmPayment is a person deciding that an unmatched payment pays orderID.
func (g *Gateway) ConfirmPayment(ctx context.Context, paymentID, orderID, by string) (app.Payment, error) {
	orderID = strings.TrimSpace(orderID)
	if orderID == "" {
		return app.Payment{}, app.NewError(app.EINVALID, "orderId",
			"缺少订单号 orderId：请指明这笔收款属于哪个订单。",
			"orderId is missing: say which order this payment pays.")
	}
	p, err := g.db.ConfirmPayment(ctx, strings.TrimSpace(paymentID), orderID, by, g.notifier.FirstDelay())
	if err == nil {
		g.log.Info("payment confirmed by hand", "payment", p.ID, "order", orderID, "by", by)
		g.notifier.Wake()
	}
	return p, err
}

// IgnorePayment is a person deciding that an unmatched payment pays no order.
func (g *Gateway) IgnorePayment(ctx context.Context, paymentID, by string) (app.Payment, error) {
	return g.db.IgnorePayment(ctx, strings.TrimSpace(paymentID), by)
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
