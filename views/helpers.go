// Package views renders the admin console: templ components for full pages
// and the htmx partials inside them, plus small formatting helpers. Every
// time is shown in Shanghai time and every amount as ¥ with two decimals.
package views

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/money"
	"paygate/assets"
)

type ctxKey int

const langKey ctxKey = 1

// WithLang makes components render in lang ("zh" or "en").
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey, lang)
}

// Lang is the language components render in; Chinese unless set to "en".
func Lang(ctx context.Context) string {
	if l, _ := ctx.Value(langKey).(string); l == "en" {
		return "en"
	}
	return "zh"
}

// tr picks the text of the page's language.
func tr(ctx context.Context, zh, en string) string {
	if Lang(ctx) == "en" {
		return en
	}
	return zh
}

func htmlLang(ctx context.Context) string {
	if Lang(ctx) == "en" {
		return "en"
	}
	return "zh-CN"
}

// Meta is what the page frame needs.
type Meta struct {
	Title            string
	Active           string // nav key: dashboard, orders, payments, callbacks, devices, settings, export, audit
	CSRF             string
	User             string
	Shop             string
	Unmatched        int
	CallbacksFailing int
	Path             string // this page, for the language switch to come back to
}

func asset(name string) string { return assets.URL(name) }

func csrfHeaders(token string) string {
	return `{"X-CSRF-Token":"` + token + `"}`
}

// yuan shows an amount as ¥12.50.
func yuan(f money.Fen) string { return "¥" + f.Fixed2() }

// when shows a time in Shanghai, "—" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return app.FormatTime(t)
}

// shortWhen drops the year and seconds for lists: "01-31 14:05".
func shortWhen(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(app.Shanghai).Format("01-02 15:04")
}

func methodLabel(ctx context.Context, m app.Method) string { return m.Label(Lang(ctx)) }

func methodClass(m app.Method) string { return "method " + string(m) }

func orderStatusLabel(ctx context.Context, s app.OrderStatus) string { return s.Label(Lang(ctx)) }

func orderStatusClass(s app.OrderStatus) string {
	switch s {
	case app.OrderPending:
		return "badge warn pulse"
	case app.OrderSuccess:
		return "badge ok"
	case app.OrderFailed:
		return "badge bad"
	}
	return "badge"
}

func paymentStatusLabel(ctx context.Context, s app.PaymentStatus) string { return s.Label(Lang(ctx)) }

func paymentStatusClass(s app.PaymentStatus) string {
	switch s {
	case app.PaymentMatched:
		return "badge ok"
	case app.PaymentUnmatched:
		return "badge warn"
	}
	return "badge"
}

func callbackStatusLabel(ctx context.Context, s app.CallbackStatus) string { return s.Label(Lang(ctx)) }

func callbackStatusClass(s app.CallbackStatus) string {
	switch s {
	case app.CallbackPending:
		return "badge info"
	case app.CallbackSent:
		return "badge ok"
	case app.CallbackFailed:
		return "badge bad"
	}
	return "badge"
}

func confidenceLabel(ctx context.Context, c app.Confidence) string { return c.Label(Lang(ctx)) }

func confidenceClass(c app.Confidence) string {
	switch c {
	case app.ConfidenceHigh:
		return "badge ok"
	case app.ConfidenceMedium:
		return "badge info"
	case app.ConfidenceLow:
		return "badge warn"
	}
	return "badge"
}

// candidateWhy says in plain words why an order is suggested for a payment.
func candidateWhy(ctx context.Context, c app.CandidateOrder) string {
	switch c.Why {
	case "pending":
		return tr(ctx, "收款时该订单正在等待支付，金额和支付方式都一致", "The order was waiting when the money arrived; amount and method match")
	case "pending_method_unknown":
		return tr(ctx, "收款时该订单正在等待支付，金额一致（通知没说明是支付宝还是微信）", "The order was waiting when the money arrived; the amount matches (the notification did not say Alipay or WeChat)")
	case "several":
		return tr(ctx, "有几笔同金额的订单同时在等待，请核对付款人", "Several orders with this amount were waiting; check who paid")
	case "previous_holder":
		return tr(ctx, "收款时该订单正在等待支付，但同一金额的上一笔订单刚支付、过期或关闭：这笔钱可能是上一笔订单迟到或重复的通知，请核对付款人",
			"The order was waiting, but an earlier order on this amount had just been paid, expired or closed: this may be a late or repeated notification for that order; check who paid")
	case "expired":
		return fmt.Sprintf(tr(ctx, "金额一致，但订单在收款前 %s 已过期", "The amount matches, but the order had expired %s before the money arrived"), dur(ctx, c.Late.Seconds()))
	case "late":
		return fmt.Sprintf(tr(ctx, "金额一致，订单已过期 %s 后才收到钱：顾客可能付款晚了", "The amount matches; the money came %s after the order expired: the buyer may have paid late"), dur(ctx, c.Late.Seconds()))
	case "other_method":
		return fmt.Sprintf(tr(ctx, "金额一致，但订单选的是%s，钱却是从%s付来的", "The amount matches, but the order is for %s and the money came by %s"),
			shortMethod(ctx, c.Order.Method), shortMethod(ctx, otherMethod(c.Order.Method)))
	case "listed_price":
		return fmt.Sprintf(tr(ctx, "顾客按商品原价 %s 付款，没有付调整后的 %s（%s）", "The buyer paid the listed price %s instead of the adjusted %s (%s)"),
			yuan(c.Order.Amount), yuan(c.Order.PayAmount), diffText(ctx, c.Diff))
	case "near_amount":
		return fmt.Sprintf(tr(ctx, "金额接近：订单应付 %s（%s）", "A near amount: the order asks %s (%s)"), yuan(c.Order.PayAmount), diffText(ctx, c.Diff))
	case "moved":
		return tr(ctx, "这个金额原来是这笔订单的，但顾客随后换了支付方式（或订单过期后重新打开）：这笔钱可能是按原来的方式付的，请核对付款人",
			"This amount was the order's until its payer switched method (or it was reopened after expiring): the money may be paid the old way; check who paid")
	case "search":
		return tr(ctx, "你搜索到的订单", "An order you looked up")
	}
	return tr(ctx, "可能的订单", "A possible order")
}

// candidateNotes are what else the person should know before confirming:
// the money came by the other app, or after the order expired (when the
// main reason does not say so).
func candidateNotes(ctx context.Context, c app.CandidateOrder) []string {
	var out []string // the difference has its own mark beside the amount
	if c.OtherMethod && c.Why != "other_method" {
		out = append(out, fmt.Sprintf(tr(ctx, "订单选的是%s", "the order is for %s"), methodLabel(ctx, c.Order.Method)))
	}
	if c.Late > 0 && c.Why != "expired" && c.Why != "late" {
		out = append(out, fmt.Sprintf(tr(ctx, "订单过期 %s 后才到账", "arrived %s after the order expired"), dur(ctx, c.Late.Seconds())))
	}
	return out
}

// shortMethod names a method the way people say it: 支付宝, 微信.
func shortMethod(ctx context.Context, m app.Method) string {
	if m == app.MethodWechat {
		return tr(ctx, "微信", "WeChat")
	}
	return methodLabel(ctx, m)
}

func otherMethod(m app.Method) app.Method {
	if m == app.MethodAlipay {
		return app.MethodWechat
	}
	return app.MethodAlipay
}

// diffText says how what arrived differs from what was to be paid:
// "少付 ¥0.01" (short) or "多付 ¥0.02" (over); "" when equal.
func diffText(ctx context.Context, diff money.Fen) string {
	switch {
	case diff < 0:
		return tr(ctx, "少付 ", "paid short by ") + yuan(-diff)
	case diff > 0:
		return tr(ctx, "多付 ", "paid over by ") + yuan(diff)
	}
	return ""
}

// pct shows a 0..1 rate as a percentage, "—" when there is none.
func pct(r float64) string {
	if r < 0 {
		return "—"
	}
	return strconv.FormatFloat(math.Round(r*1000)/10, 'f', -1, 64) + "%"
}

// dur shows seconds as "2分13秒" / "2m 13s".
func dur(ctx context.Context, sec float64) string {
	if sec <= 0 {
		return "—"
	}
	s := int(math.Round(sec))
	h, m, r := s/3600, s%3600/60, s%60
	switch {
	case h > 0:
		return fmt.Sprintf(tr(ctx, "%d小时%d分", "%dh %dm"), h, m)
	case m > 0:
		return fmt.Sprintf(tr(ctx, "%d分%d秒", "%dm %ds"), m, r)
	}
	return fmt.Sprintf(tr(ctx, "%d秒", "%ds"), r)
}

func itoa(n int) string { return strconv.Itoa(n) }

// pageURL is path with q and page set.
func pageURL(path string, q url.Values, page int) string {
	v := url.Values{}
	for k, vals := range q {
		v[k] = vals
	}
	v.Set("page", strconv.Itoa(page))
	return path + "?" + v.Encode()
}

// withQuery is path plus q, if any.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func lastPage(total, limit int) int {
	if total <= 0 || limit <= 0 {
		return 1
	}
	total = min(total, app.ListCountCap)
	return (total + limit - 1) / limit
}

// countText is a list's total, "10000+" once the count stopped at the cap.
func countText(total int) string {
	if total > app.ListCountCap {
		return itoa(app.ListCountCap) + "+"
	}
	return itoa(total)
}

func httpStatusText(code int) string {
	if code == 0 {
		return "—"
	}
	return "HTTP " + strconv.Itoa(code)
}

// truncate shows at most n characters of s, without its surrounding spaces.
func truncate(s string, n int) string { return app.ClipRunes(strings.TrimSpace(s), n) }

func shopName(ctx context.Context, name string) string {
	if strings.TrimSpace(name) == "" {
		return tr(ctx, "paygate 收款后台", "paygate admin")
	}
	return name
}

func errorTitle(ctx context.Context, status int) string {
	switch {
	case status == 404:
		return tr(ctx, "没有找到", "Not found")
	case status == 401 || status == 403:
		return tr(ctx, "没有权限", "Not allowed")
	case status == 429:
		return tr(ctx, "请稍后再试", "Please wait")
	case status >= 500:
		return tr(ctx, "出错了", "Something went wrong")
	}
	return tr(ctx, "请求有误", "Please check the request")
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func attemptClass(a app.CallbackAttempt) string {
	if a.Acked {
		return "ok"
	}
	return "bad"
}

func paymentIDVals(id string) string {
	b, _ := json.Marshal(map[string]string{"paymentId": id})
	return string(b)
}

// localInput writes t for a datetime-local field, Shanghai time.
func localInput(t time.Time) string { return t.In(app.Shanghai).Format("2006-01-02T15:04") }

func manualPickText(ctx context.Context, f app.PaymentFit, o app.Order) string {
	s := fmt.Sprintf(tr(ctx, "用这笔 %s 的收款（%s 到账）给订单“%s”补单吗？订单会标记为已支付并通知商城。",
		"Settle “%[3]s” with this %[1]s payment (arrived %[2]s)? The order becomes paid and the shop is told."),
		yuan(f.Payment.Amount), shortWhen(f.Payment.ReceivedAt), o.ProductName)
	if f.Fit.Diff != 0 {
		s += fmt.Sprintf(tr(ctx, "商城会收到：应付 %s，实收 %s（%s）。", " The shop is told: %s asked, %s received (%s)."),
			yuan(o.PayAmount), yuan(f.Payment.Amount), diffText(ctx, f.Fit.Diff))
	}
	return s
}

// settleVals are the fields a suggestion's confirm button sends.
func settleVals(orderID, why string) string {
	b, _ := json.Marshal(map[string]string{"orderId": orderID, "why": why})
	return string(b)
}

func diffClass(diff money.Fen) string {
	if diff < 0 {
		return "diff short"
	}
	return "diff over"
}

func confirmText(ctx context.Context, amount money.Fen, c app.CandidateOrder) string {
	s := fmt.Sprintf(tr(ctx, "确认这笔 %s 的收款属于订单“%s”（%s）吗？订单会标记为已支付并通知商城。",
		"Confirm that this %s payment pays “%s” (%s)? The order becomes paid and the shop is told."),
		yuan(amount), c.Order.ProductName, orDefault(c.Order.ShopNumber(), c.Order.ID))
	if c.Diff != 0 {
		s += fmt.Sprintf(tr(ctx, "商城会收到：应付 %s，实收 %s（%s）。", " The shop is told: %s asked, %s received (%s)."),
			yuan(c.Order.PayAmount), yuan(amount), diffText(ctx, c.Diff))
	}
	return s
}

const curlExample = `curl -X POST http://localhost:3000/api/orders \
  -H "Authorization: Bearer <API密钥>" \
  -H "Content-Type: application/json" \
  -d '{"productName":"测试商品","amount":0.01,"paymentMethod":"alipay"}'`

func maskKey(k string) string {
	if len(k) <= 8 {
		return "••••••••"
	}
	return k[:4] + "••••••••••••" + k[len(k)-4:]
}

func minutesOf(d time.Duration) string { return strconv.Itoa(int(d / time.Minute)) }

func deviceID(id int64) string { return "device-" + strconv.FormatInt(id, 10) }

func online(list []app.Device) int {
	n := 0
	for _, d := range list {
		if d.Online {
			n++
		}
	}
	return n
}

func notificationShown(n app.Notification) string {
	if n.Text != "" {
		return n.Text
	}
	if n.Body != "" {
		return n.Body
	}
	return n.Query
}

func outcomeLabel(ctx context.Context, o app.NotificationOutcome) string {
	switch o {
	case app.OutcomePayment:
		return tr(ctx, "收款", "Payment")
	case app.OutcomeIgnored:
		return tr(ctx, "非收款", "Not a payment")
	case app.OutcomeDuplicate:
		return tr(ctx, "重复", "Duplicate")
	case app.OutcomeRefused:
		return tr(ctx, "被拒绝", "Refused")
	case app.OutcomeInvalid:
		return tr(ctx, "无法读取", "Unreadable")
	case app.OutcomeError:
		return tr(ctx, "处理失败", "Failed")
	}
	return tr(ctx, "已接收", "Received")
}

func outcomeClass(o app.NotificationOutcome) string {
	switch o {
	case app.OutcomePayment:
		return "badge ok"
	case app.OutcomeRefused, app.OutcomeInvalid, app.OutcomeError:
		return "badge bad"
	case app.OutcomeDuplicate:
		return "badge info"
	}
	return "badge"
}
