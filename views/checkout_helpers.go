package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/money"
)

func payerShop(ctx context.Context, name string) string {
	if strings.TrimSpace(name) == "" {
		return tr(ctx, "收银台", "Checkout")
	}
	return name
}

// returnRefresh sends a paid order's page back to the shop after a moment,
// through /pay/{id}/return (which goes there only while the order is paid).
func returnRefresh(o app.Order) string {
	if o.Status != app.OrderSuccess || o.ReturnURL == "" {
		return ""
	}
	return "3;url=/pay/" + o.ID + "/return"
}

// mustPay is the warning that the amount must be exact.
func mustPay(ctx context.Context, f money.Fen) string {
	return fmt.Sprintf(tr(ctx, "请务必支付 %s，不要多付或少付，否则无法自动到账。",
		"Pay exactly %s — not a cent more or less — or the payment cannot be recognised automatically."), yuan(f))
}

// adjustedNote explains why the payable amount differs from the price.
func adjustedNote(ctx context.Context, o app.Order) string {
	diff := o.PayAmount - o.Amount
	if diff > 0 {
		return fmt.Sprintf(tr(ctx, "订单金额 %s；为了认出你的付款，请多付 %s 元。", "The price is %s; pay %s yuan more so your payment can be told apart."),
			yuan(o.Amount), diff.Fixed2())
	}
	return fmt.Sprintf(tr(ctx, "订单金额 %s；为了认出你的付款，请少付 %s 元。", "The price is %s; pay %s yuan less so your payment can be told apart."),
		yuan(o.Amount), (-diff).Fixed2())
}

func scanStep(ctx context.Context, m app.Method) string {
	if m == app.MethodWechat {
		return tr(ctx, "打开微信，点「扫一扫」扫描上面的二维码", "Open WeChat, tap Scan and scan the code above")
	}
	return tr(ctx, "打开支付宝，点「扫一扫」扫描上面的二维码", "Open Alipay, tap Scan and scan the code above")
}

// clock is the time of day in Shanghai, "16:25".
func clock(t time.Time) string { return t.In(app.Shanghai).Format("15:04") }

func unixMS(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// remaining is the time left as m:ss, as the countdown shows it.
func remaining(now, until time.Time) string {
	s := int(until.Sub(now).Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func payerErrorTitle(ctx context.Context, status int) string {
	switch {
	case status == 404:
		return tr(ctx, "找不到这个页面", "Not found")
	case status == 429:
		return tr(ctx, "操作太频繁", "Too many orders")
	case status == 409 || status == 410:
		return tr(ctx, "现在不能下单", "Cannot order now")
	case status == 403:
		return tr(ctx, "页面已过期", "This page is stale")
	case status >= 500:
		return tr(ctx, "出错了", "Something went wrong")
	}
	return tr(ctx, "请求有误", "Please check")
}

func boolAttr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func linkID(id int64) string { return "link-" + strconv.FormatInt(id, 10) }

// linkPriceText is "¥19.90", or "顾客填写 ¥1.00–¥500.00".
func linkPriceText(ctx context.Context, l app.PaymentLink) string {
	if !l.BuyerAmount() {
		return yuan(l.Amount)
	}
	return tr(ctx, "顾客填写 ", "Buyer enters ") + yuan(l.MinAmount) + " – " + yuan(l.MaxAmount)
}

func linkStats(ctx context.Context, s app.LinkSummary) string {
	return fmt.Sprintf(tr(ctx, "%d 笔订单，%d 笔已付，共收 %s", "%d orders, %d paid, %s received"), s.Orders, s.Paid, yuan(s.Revenue))
}

// fixedCodes are the fixed-amount codes of method m.
func fixedCodes(all []app.PayQR, m app.Method) []app.PayQR {
	var out []app.PayQR
	for _, q := range all {
		if q.Method == m {
			out = append(out, q)
		}
	}
	return out
}

// methodList is "支付宝和微信支付" / "Alipay and WeChat Pay".
func methodList(ctx context.Context, ms []app.Method) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.Label(Lang(ctx))
	}
	return strings.Join(parts, tr(ctx, "和", " and "))
}
