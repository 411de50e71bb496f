package gateway

import (
	"context"
	"strings"

	"paygate/app"
	"paygate/app/money"
)

// Order returns one order by id.
func (g *Gateway) Order(ctx context.Context, id string) (app.Order, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return app.Order{}, app.NewError(app.EINVALID, "orderId",
			"缺少订单号 orderId：例如 /api/order-status?orderId=ORD…。",
			"orderId is missing: e.g. /api/order-status?orderId=ORD….")
	}
	if len(id) > 64 {
		return app.Order{}, app.NewError(app.EINVALID, "orderId",
			"订单号 orderId 太长：paygate 的订单号以 ORD 开头，不超过 64 个字符。",
			"orderId is too long: paygate order ids start with ORD and have at most 64 characters.")
	}
	return g.db.Order(ctx, id)
}

// OrderForMerchant is order id with what its payment brought when a person
// settled it with another amount (0 otherwise), as the callback says it.
func (g *Gateway) OrderForMerchant(ctx context.Context, id string) (app.Order, money.Fen, error) {
	o, err := g.Order(ctx, id)
	if err != nil || o.PaymentID == "" {
		return o, 0, err
	}
	p, err := g.db.Payment(ctx, o.PaymentID)
	if err != nil {
		return app.Order{}, 0, err
	}
	if p.Amount == o.PayAmount {
		return o, 0, nil
	}
	return o, p.Amount, nil
}

// CloseOrder cancels a pending order; by is who asked (an admin's name or "api").
func (g *Gateway) CloseOrder(ctx context.Context, id, by string) (app.Order, error) {
	return g.db.CloseOrder(ctx, strings.TrimSpace(id), by)
}
