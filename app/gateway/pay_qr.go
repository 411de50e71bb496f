package gateway

import (
	"context"
	"strings"

	"paygate/app"
)

// SetPayQRAmount stores a fixed-amount 收款码: a code the owner set up in
// Alipay/WeChat for exactly amount (yuan text), shown on checkout pages whose
// payable amount equals it, so the payer does not type the amount.
func (g *Gateway) SetPayQRAmount(ctx context.Context, method, amount string, image []byte, by string) (app.PayQR, error) {
	m, err := ParseMethod(method)
	if err != nil {
		return app.PayQR{}, err
	}
	t := g.Tuning()
	if strings.TrimSpace(amount) == "" {
		return app.PayQR{}, app.NewError(app.EINVALID, "amount",
			"请填写这张固定金额收款码的金额（就是你在支付宝/微信里设置的金额），例如 10.01。",
			"Enter the amount of this fixed-amount 收款码 (the amount you set in Alipay/WeChat), e.g. 10.01.")
	}
	a, err := app.ParseAmount("amount", amount, true, t.MinAmount, t.MaxAmount)
	if err != nil {
		return app.PayQR{}, err
	}
	q, err := readPayQR(m, image)
	if err != nil {
		return app.PayQR{}, err
	}
	q.Amount = a
	return q, g.db.PutPayQRAmount(ctx, q, by)
}

// DeletePayQRAmount removes the fixed-amount 收款码 of method for amount.
func (g *Gateway) DeletePayQRAmount(ctx context.Context, method, amount, by string) error {
	m, err := ParseMethod(method)
	if err != nil {
		return err
	}
	a, err := app.ParseAmount("amount", amount, true, 1, 100_000_000)
	if err != nil {
		return err
	}
	found, err := g.db.DeletePayQRAmount(ctx, m, a, by)
	if err == nil && !found {
		err = app.NewError(app.ENOTFOUND, "amount",
			"没有 "+a.Fixed2()+" 元的"+m.Label("zh")+"固定金额收款码：可能已经删除了，请刷新页面。",
			"There is no "+m.Label("en")+" fixed-amount 收款码 for "+a.Fixed2()+" yuan: it may be deleted already; reload the page.")
	}
	return err
}

// PayQRAmounts lists the fixed-amount 收款码, without pictures.
func (g *Gateway) PayQRAmounts(ctx context.Context) ([]app.PayQR, error) {
	return g.db.PayQRAmounts(ctx)
}

// PayQRAmount returns one fixed-amount 收款码 with its picture.
func (g *Gateway) PayQRAmount(ctx context.Context, method, amount string) (app.PayQR, error) {
	m, err := ParseMethod(method)
	if err != nil {
		return app.PayQR{}, err
	}
	a, err := app.ParseAmount("amount", amount, true, 1, 100_000_000)
	if err != nil {
		return app.PayQR{}, err
	}
	q, found, err := g.db.PayQRAmount(ctx, m, a)
	if err == nil && !found {
		err = app.NewError(app.ENOTFOUND, "amount",
			"没有 "+a.Fixed2()+" 元的"+m.Label("zh")+"固定金额收款码。", "There is no "+m.Label("en")+" fixed-amount 收款码 for "+a.Fixed2()+" yuan.")
	}
	return q, err
}
