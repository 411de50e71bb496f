// Package views renders the admin console: templ components for full pages
// and the htmx partials inside them, plus small formatting helpers. Every
// time is shown in Shanghai time and every amount as ¥ with two decimals.
package views

import (
	"context"
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

func orderStatusLabel(ctx context.Context, s app.OrderStatus) string {
	switch s {
	case app.OrderPending:
		return tr(ctx, "待支付", "Pending")
	case app.OrderSuccess:
		return tr(ctx, "已支付", "Paid")
	case app.OrderExpired:
		return tr(ctx, "已过期", "Expired")
	case app.OrderFailed:
		return tr(ctx, "已关闭", "Closed")
	}
	return string(s)
}

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

func paymentStatusLabel(ctx context.Context, s app.PaymentStatus) string {
	switch s {
	case app.PaymentMatched:
		return tr(ctx, "已匹配", "Matched")
	case app.PaymentUnmatched:
		return tr(ctx, "待处理", "Needs review")
	case app.PaymentIgnored:
		return tr(ctx, "已忽略", "Ignored")
	}
	return string(s)
}

func paymentStatusClass(s app.PaymentStatus) string {
	switch s {
	case app.PaymentMatched:
		return "badge ok"
	case app.PaymentUnmatched:
		return "badge warn"
	}
	return "badge"
}

func callbackStatusLabel(ctx context.Context, s app.CallbackStatus) string {
	switch s {
	case app.CallbackPending:
		return tr(ctx, "发送中", "Sending")
	case app.CallbackSent:
		return tr(ctx, "已送达", "Delivered")
	case app.CallbackFailed:
		return tr(ctx, "失败", "Failed")
	}
	return tr(ctx, "无回调", "None")
}

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

func confidenceLabel(ctx context.Context, c app.Confidence) string {
	switch c {
	case app.ConfidenceHigh:
		return tr(ctx, "把握高", "High confidence")
	case app.ConfidenceMedium:
		return tr(ctx, "把握中", "Medium confidence")
	case app.ConfidenceLow:
		return tr(ctx, "把握低", "Low confidence")
	}
	return tr(ctx, "无候选", "No candidate")
}

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

func candidateWhy(ctx context.Context, why string) string {
	switch why {
	case "pending":
		return tr(ctx, "收款时该订单正在等待支付，金额和支付方式都一致", "The order was waiting when the money arrived; amount and method match")
	case "pending_method_unknown":
		return tr(ctx, "收款时该订单正在等待支付，金额一致（通知没说明支付方式）", "The order was waiting when the money arrived; the amount matches (the notification did not name a method)")
	case "several":
		return tr(ctx, "有几笔同金额的订单同时在等待，请核对付款人", "Several orders with this amount were waiting; check who paid")
	case "previous_holder":
		return tr(ctx, "收款时该订单正在等待支付，但同一金额的上一笔订单刚支付、过期或关闭：这笔钱可能是上一笔订单迟到或重复的通知，请核对付款人",
			"The order was waiting, but an earlier order on this amount had just been paid, expired or closed: this may be a late or repeated notification for that order; check who paid")
	case "expired":
		return tr(ctx, "金额一致，但收款时订单已过期", "The amount matches, but the order had expired when the money arrived")
	}
	return why
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

func actionLabel(ctx context.Context, a string) string {
	labels := map[string][2]string{
		app.AuditAdminCreated:    {"创建管理员", "Admin created"},
		app.AuditLogin:           {"登录", "Logged in"},
		app.AuditLogout:          {"退出登录", "Logged out"},
		app.AuditPassword:        {"修改密码", "Password changed"},
		app.AuditAdminReset:      {"重置管理员（命令行）", "Admin reset (command line)"},
		app.AuditPaymentConfirm:  {"人工确认收款", "Payment confirmed by hand"},
		app.AuditPaymentIgnore:   {"忽略收款", "Payment ignored"},
		app.AuditCallbackResend:  {"重发回调", "Callback resent"},
		app.AuditCallbackTest:    {"发送测试回调", "Test callback sent"},
		app.AuditOrderClose:      {"关闭订单", "Order closed"},
		app.AuditSettings:        {"修改商户设置", "Merchant settings changed"},
		app.AuditAPIKeyRotate:    {"更换 API 密钥", "API key rotated"},
		app.AuditTuning:          {"修改订单与匹配规则", "Order and matching rules changed"},
		app.AuditPayQR:           {"上传收款码", "收款码 uploaded"},
		app.AuditDeviceCreate:    {"添加设备", "Device added"},
		app.AuditDeviceRename:    {"重命名设备", "Device renamed"},
		app.AuditDeviceRotateKey: {"更换设备密钥", "Device key rotated"},
		app.AuditDeviceDelete:    {"删除设备", "Device deleted"},

		app.AuditAPIKeyForwardingOff: {"商户 API 密钥不再当手机密钥", "API key no longer accepted from phones"},
		app.AuditAPIKeyForwardingOn:  {"允许商户 API 密钥当手机密钥", "API key accepted from phones again"},
		app.AuditReplica:             {"修改数据库副本设置", "Database replica settings changed"},
	}
	if l, ok := labels[a]; ok {
		return tr(ctx, l[0], l[1])
	}
	return a
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

func orderIDVals(id string) string { return `{"orderId":"` + id + `"}` }

func confirmText(ctx context.Context, amount money.Fen, o app.Order) string {
	return fmt.Sprintf(tr(ctx, "确认这笔 %s 的收款属于订单“%s”（%s）吗？订单会标记为已支付并回调商户。",
		"Confirm that this %s payment pays “%s” (%s)? The order becomes paid and the shop is called back."),
		yuan(amount), o.ProductName, o.ID)
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

func kindLabel(k string) string {
	switch k {
	case "vmq":
		return "V免签"
	case "smsforwarder":
		return "SmsForwarder"
	case "webhook":
		return "webhook"
	}
	return k
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
