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

// scanStep is the first step to pay by m, as it works in browser b;
// appLink: the page has a button that opens the code in the Alipay app.
func scanStep(ctx context.Context, m app.Method, b app.Browser, appLink bool) string {
	name := methodApp(ctx, m)
	switch {
	case m == b.Method() && m == app.MethodWechat:
		return tr(ctx, "长按上面的二维码，选「识别图中的二维码」", "Long-press the code above and choose “Scan QR code in image”")
	case m == b.Method() && appLink:
		return tr(ctx, "点下面的「打开支付宝付款」", "Tap “Pay in the Alipay app” below")
	case b.InApp():
		return fmt.Sprintf(tr(ctx, "长按上面的二维码保存图片（或截屏），再打开%s「扫一扫」，点「相册」选这张图片", "Long-press the code above to save it (or take a screenshot), then open Scan in %s and pick the picture from your photos"), name)
	}
	return fmt.Sprintf(tr(ctx, "打开%s，点「扫一扫」扫描上面的二维码", "Open %s, tap Scan and scan the code above"), name)
}

// methodApp is the app a method pays in: 支付宝, 微信.
func methodApp(ctx context.Context, m app.Method) string {
	if m == app.MethodWechat {
		return tr(ctx, "微信", "WeChat")
	}
	return tr(ctx, "支付宝", "Alipay")
}

// browserApp names the app whose browser b is.
func browserApp(ctx context.Context, b app.Browser) string {
	switch b {
	case app.BrowserWechat:
		return tr(ctx, "微信", "WeChat")
	case app.BrowserAlipay:
		return tr(ctx, "支付宝", "Alipay")
	case app.BrowserQQ:
		return "QQ"
	case app.BrowserDingTalk:
		return tr(ctx, "钉钉", "DingTalk")
	}
	return tr(ctx, "这个应用", "this app")
}

// saveTip says why the code cannot be opened right here, inside another app.
func saveTip(ctx context.Context, m app.Method, b app.Browser) string {
	return fmt.Sprintf(tr(ctx, "在%s里不能直接打开%s付款：请按第 1 步保存二维码再扫，或者在浏览器里打开本页。", "%s cannot open %s here: save the code as step 1 says and scan it, or open this page in the browser."),
		browserApp(ctx, b), methodApp(ctx, m))
}

// openInBrowserWhy is what the phone's browser can do that the app cannot.
func openInBrowserWhy(ctx context.Context, m app.Method) string {
	if m == app.MethodAlipay {
		return tr(ctx, "在浏览器里可以直接打开支付宝付款。", "In the browser, Alipay opens with one tap.")
	}
	return tr(ctx, "在浏览器里可以保存二维码图片，再用微信「扫一扫」→「相册」付款。", "In the browser you can save the code as a picture, then pay with WeChat's Scan → photos.")
}

// phoneOnly hides a button on a computer's browser, where it cannot work;
// an app's browser is always on a phone.
func phoneOnly(b app.Browser) string {
	if b.InApp() {
		return ""
	}
	return " phone"
}

// billStep says where the payer finds the record of their payment.
func billStep(ctx context.Context, m app.Method) string {
	if m == app.MethodWechat {
		return tr(ctx, "付款记录截图：打开微信「我」→「服务」→「钱包」→「账单」，点开这笔付款，截图账单详情",
			"A screenshot of the payment: in WeChat, Me → Services → Wallet → Transactions, open this payment and take a screenshot")
	}
	return tr(ctx, "付款记录截图：打开支付宝「我的」→「账单」，点开这笔付款，截图账单详情",
		"A screenshot of the payment: in Alipay, Account → Bills, open this payment and take a screenshot")
}

// lateMessage is a message a payer who paid too late can send the shop.
func lateMessage(ctx context.Context, o app.Order) string {
	return fmt.Sprintf(tr(ctx, "你好，我的订单 %s（%s）已经用%s付了 %s，付款记录截图在下面，麻烦帮我处理。",
		"Hello, I paid %[4]s by %[3]s for order %[1]s (%[2]s); the payment screenshot is below. Please sort it out."),
		o.ID, o.ProductName, methodLabel(ctx, o.Method), yuan(o.PayAmount))
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
