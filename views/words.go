package views

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/a-h/templ"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/money"
)

// Words for people: what the console shows for the machine words paygate
// keeps (audit actions and their details, the reasons a notification made
// no payment, the forwarder protocols). No raw status or reason word reaches
// a Chinese page (TestNoMachineWordsInChinesePages, e2e).

var actionLabels = map[string][2]string{
	app.AuditAdminCreated:    {"创建管理员", "Admin created"},
	app.AuditLogin:           {"登录", "Logged in"},
	app.AuditLogout:          {"退出登录", "Logged out"},
	app.AuditPassword:        {"修改密码", "Password changed"},
	app.AuditAdminReset:      {"重置管理员（命令行）", "Admin reset (command line)"},
	app.AuditPaymentConfirm:  {"人工确认收款", "Payment matched by hand"},
	app.AuditPaymentIgnore:   {"忽略收款", "Payment ignored"},
	app.AuditPaymentRecord:   {"手动补单", "Payment recorded by hand"},
	app.AuditCallbackResend:  {"重新通知商城", "Shop notified again"},
	app.AuditCallbackTest:    {"测试通知商城", "Test notification sent to the shop"},
	app.AuditOrderClose:      {"关闭订单", "Order closed"},
	app.AuditSettings:        {"修改商户设置", "Shop settings changed"},
	app.AuditAPIKeyCreate:    {"生成 API 密钥", "API key generated"},
	app.AuditAPIKeyRotate:    {"更换 API 密钥", "API key replaced"},
	app.AuditTuning:          {"修改订单与匹配规则", "Order and matching rules changed"},
	app.AuditPayQR:           {"上传收款码", "收款码 uploaded"},
	app.AuditDeviceCreate:    {"添加设备", "Device added"},
	app.AuditDeviceRename:    {"重命名设备", "Device renamed"},
	app.AuditDeviceRotateKey: {"更换设备密钥", "Device key replaced"},
	app.AuditDeviceDelete:    {"删除设备", "Device deleted"},
	app.AuditLinkCreate:      {"创建收款链接", "Payment link created"},
	app.AuditLinkEnable:      {"开启收款链接", "Payment link turned on"},
	app.AuditLinkDisable:     {"停用收款链接", "Payment link turned off"},
	app.AuditLinkDelete:      {"删除收款链接", "Payment link deleted"},
	app.AuditPayQRAmount:     {"上传固定金额收款码", "Fixed-amount 收款码 uploaded"},
	app.AuditPayQRAmountDrop: {"删除固定金额收款码", "Fixed-amount 收款码 deleted"},

	app.AuditAPIKeyForwardingOff: {"商户 API 密钥不再当手机密钥", "API key no longer accepted from phones"},
	app.AuditAPIKeyForwardingOn:  {"允许商户 API 密钥当手机密钥", "API key accepted from phones again"},

	app.AuditEpayMerchantKey:  {"修改易支付 V2 商户公钥", "易支付 V2 merchant public key changed"},
	app.AuditEpayPlatformKey:  {"更换易支付 V2 平台密钥", "易支付 V2 platform key replaced"},
	app.AuditPublicURL:        {"修改访问地址", "Public address changed"},
	app.AuditAlertChannelAdd:  {"添加提醒渠道", "Alert channel added"},
	app.AuditAlertChannelOn:   {"启用提醒渠道", "Alert channel switched on"},
	app.AuditAlertChannelOff:  {"停用提醒渠道", "Alert channel switched off"},
	app.AuditAlertChannelDrop: {"删除提醒渠道", "Alert channel deleted"},
	app.AuditAlertChannelTest: {"发送测试提醒", "Test alert sent"},
	app.AuditAlertQuietHours:  {"修改免打扰时段", "Quiet hours changed"},
}

func actionLabel(ctx context.Context, a string) string {
	if l, ok := actionLabels[a]; ok {
		return tr(ctx, l[0], l[1])
	}
	return tr(ctx, "其他操作", "Other action")
}

// actorLabel is who did something: the owner's name, the shop's server
// (api) or paygate itself.
func actorLabel(ctx context.Context, actor string) string {
	if actor == "" {
		return "—"
	}
	return app.MatchedByLabel(actor, Lang(ctx))
}

// auditDetail words an audit entry's detail in the page's language. Details
// written as fields (app.AuditFields) are read field by field; the free
// text of older entries is shown as it is, except the formats paygate wrote
// itself (the rules, the settings changed, the API-key switch).
func auditDetail(ctx context.Context, e app.AuditEntry) string {
	if f, ok := app.ParseAuditFields(e.Detail); ok {
		return fieldsDetail(ctx, e.Action, f)
	}
	switch e.Action {
	case app.AuditTuning:
		return tuningDetail(ctx, e.Detail)
	case app.AuditSettings:
		return legacySettingsDetail(ctx, e.Detail)
	case app.AuditAPIKeyForwardingOff, app.AuditAPIKeyForwardingOn, app.AuditAdminReset:
		return "" // the action says it all
	case app.AuditPaymentConfirm:
		// "ORD… ¥10.00": the order and the amount.
		if order, amount, ok := strings.Cut(e.Detail, " "); ok {
			return tr(ctx, "订单 ", "order ") + order + tr(ctx, "，到账 ", ", received ") + amount
		}
	case app.AuditPaymentIgnore:
		return tr(ctx, "到账 ", "received ") + e.Detail
	case app.AuditCallbackTest:
		return strings.Replace(strings.Replace(e.Detail, " ok", tr(ctx, "：商城已确认", ": acknowledged"), 1), " failed: ", tr(ctx, "：失败，", ": failed, "), 1)
	}
	return e.Detail
}

func fieldsDetail(ctx context.Context, action string, f map[string]string) string {
	var parts []string
	add := func(zh, en, v string) {
		if v != "" {
			parts = append(parts, tr(ctx, zh, en)+v)
		}
	}
	switch action {
	case app.AuditSettings:
		var names []string
		for _, n := range strings.Split(f["changed"], ",") {
			if n != "" {
				names = append(names, settingName(ctx, n))
			}
		}
		add("修改了：", "changed: ", strings.Join(names, tr(ctx, "、", ", ")))
		add("通知地址 ", "notify URL ", f["callbackUrl"])
		add("易支付商户号 ", "易支付 pid ", f["epayPid"])
		return strings.Join(parts, tr(ctx, "；", "; "))
	case app.AuditCallbackTest:
		add("地址 ", "URL ", f["url"])
		if f["result"] == "ok" {
			parts = append(parts, tr(ctx, "商城已确认收到", "acknowledged"))
		} else {
			parts = append(parts, tr(ctx, "失败：", "failed: ")+attemptError(ctx, f["error"]))
		}
		return strings.Join(parts, tr(ctx, "；", "; "))
	}
	if f["order"] != "" {
		order := f["order"]
		if f["product"] != "" {
			order = "“" + f["product"] + "” " + order
		}
		add("订单 ", "order ", order)
		add("商城单号 ", "shop no. ", f["shopNumber"])
	}
	if f["received"] != "" {
		s := tr(ctx, "到账 ¥", "received ¥") + f["received"]
		if f["payable"] != "" && f["payable"] != f["received"] {
			received, err1 := money.ParseYuan(f["received"])
			payable, err2 := money.ParseYuan(f["payable"])
			if err1 == nil && err2 == nil {
				s += tr(ctx, "，应付 ¥", ", asked ¥") + f["payable"] + tr(ctx, "（", " (") + diffText(ctx, received-payable) + tr(ctx, "）", ")")
			}
		}
		parts = append(parts, s)
	}
	if m := app.Method(f["method"]); m.Valid() {
		parts = append(parts, methodLabel(ctx, m))
	}
	add("到账时间 ", "arrived ", f["receivedAt"])
	if f["why"] != "" {
		add("依据：", "because: ", whyShort(ctx, f["why"]))
	}
	add("说明：", "note: ", f["note"])
	return strings.Join(parts, tr(ctx, "；", "; "))
}

// whyShort names a suggestion's reason in a few words, for the activity log.
func whyShort(ctx context.Context, why string) string {
	l, ok := map[string][2]string{
		"pending":                {"金额和方式一致的待支付订单", "a waiting order, same amount and method"},
		"pending_method_unknown": {"金额一致的待支付订单", "a waiting order, same amount"},
		"several":                {"几笔同金额订单之一", "one of several orders with this amount"},
		"previous_holder":        {"同金额上一笔订单刚结束", "an earlier order on this amount had just ended"},
		"expired":                {"刚过期的订单", "an order that had just expired"},
		"late":                   {"过期较久的订单", "an order expired a while before"},
		"other_method":           {"用了另一种支付方式", "paid by the other method"},
		"listed_price":           {"按商品原价付款", "paid the listed price"},
		"near_amount":            {"金额接近", "a near amount"},
		"moved":                  {"顾客换了支付方式的订单", "an order whose payer switched method"},
		"search":                 {"人工查找的订单", "an order looked up by hand"},
	}[why]
	if !ok {
		return tr(ctx, "其他", "other")
	}
	return tr(ctx, l[0], l[1])
}

func settingName(ctx context.Context, field string) string {
	l, ok := map[string][2]string{
		"name":        {"店铺名称", "shop name"},
		"description": {"店铺简介", "description"},
		"callbackUrl": {"通知地址", "notify URL"},
		"epayPid":     {"易支付商户号", "易支付 pid"},
		"apiKey":      {"API 密钥", "API key"},
	}[field]
	if !ok {
		return field
	}
	return tr(ctx, l[0], l[1])
}

// legacySettingsDetail reads the settings detail of older entries:
// "name, callbackUrl → https://…".
func legacySettingsDetail(ctx context.Context, d string) string {
	names, rest, _ := strings.Cut(d, " → ")
	var out []string
	for _, n := range strings.Split(names, ", ") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, settingName(ctx, n))
		}
	}
	s := tr(ctx, "修改了：", "changed: ") + strings.Join(out, tr(ctx, "、", ", "))
	if rest != "" {
		s += " → " + rest
	}
	return s
}

var tuningPart = regexp.MustCompile(`(\w+)=(\S+)`)

// tuningDetail words app.Tuning.String(): "lifetime=15m0s amounts=0.01..10000
// slots=alternate±0.5 window=15m0s grace=10m0s auto=medium".
func tuningDetail(ctx context.Context, d string) string {
	var out []string
	for _, m := range tuningPart.FindAllStringSubmatch(d, -1) {
		k, v := m[1], m[2]
		switch k {
		case "lifetime":
			out = append(out, tr(ctx, "订单有效期 ", "order lifetime ")+durationWords(ctx, v))
		case "amounts":
			lo, hi, _ := strings.Cut(v, "..")
			out = append(out, tr(ctx, "金额 ¥", "amounts ¥")+lo+" – ¥"+hi)
		case "slots":
			mode, offset, _ := strings.Cut(v, "±")
			out = append(out, slotModeWords(ctx, mode)+tr(ctx, "，最多调整 ¥", ", at most ¥")+offset)
		case "window":
			out = append(out, tr(ctx, "自动匹配时限 ", "auto-match time limit ")+durationWords(ctx, v))
		case "grace":
			out = append(out, tr(ctx, "订单结束后的缓冲时间 ", "buffer after an order ends ")+durationWords(ctx, v))
		case "auto":
			out = append(out, tr(ctx, "自动确认：", "confirm automatically: ")+confidenceLabel(ctx, app.Confidence(v))+tr(ctx, "及以上", " and up"))
		}
	}
	if len(out) == 0 {
		return d
	}
	return strings.Join(out, tr(ctx, "；", "; "))
}

func durationWords(ctx context.Context, v string) string {
	d, err := time.ParseDuration(v)
	if err != nil {
		return v
	}
	if d > 0 && d%time.Minute == 0 {
		return fmt.Sprintf(tr(ctx, "%d 分钟", "%d min"), int(d/time.Minute))
	}
	return dur(ctx, d.Seconds())
}

func slotModeWords(ctx context.Context, mode string) string {
	switch app.SlotMode(mode) {
	case app.SlotUp:
		return tr(ctx, "金额只往上调", "amounts adjusted up only")
	case app.SlotDown:
		return tr(ctx, "金额只往下调", "amounts adjusted down only")
	}
	return tr(ctx, "金额上下交替调整", "amounts adjusted up and down")
}

// kindLabel names a forwarder protocol.
func kindLabel(ctx context.Context, k string) string {
	switch k {
	case "vmq":
		return "V免签"
	case "smsforwarder":
		return "SmsForwarder"
	case "webhook":
		return tr(ctx, "通用推送接口", "webhook")
	}
	return k
}

// The reasons the parser gives for a notification that is no payment
// (app/parse, stable machine words the database keeps).
var notificationReasons = map[string][2]string{
	"empty":      {"空通知", "empty notification"},
	"self-test":  {"转发应用的测试消息", "the forwarder's test message"},
	"recap":      {"“上一笔播报”，重复之前的收款", "a recap of an earlier payment"},
	"refund":     {"退款，不是收款", "a refund, not a payment"},
	"withdrawal": {"提现，不是收款", "a withdrawal, not a payment"},
	"expense":    {"支出，不是收款", "money going out, not a payment"},
	"bill":       {"账单或还款提醒", "a bill or repayment reminder"},
	"report":     {"报表或汇总，不是单笔收款", "a report or total, not one payment"},
	"earnings":   {"收益或奖励，不是收款", "earnings or a reward, not a payment"},
	"red packet": {"红包，不按收款处理", "a red packet, not treated as a payment"},
	"transfer":   {"聊天转账待确认或没有金额，不是到账通知", "a chat transfer still to accept, or without amount"},
	"banner":     {"收款助手横幅，没有收款", "a status banner, no payment"},
	"ambiguous":  {"出现多个不同金额，需人工核对", "several different amounts: check by hand"},
	"no amount":  {"没有找到收款金额", "no amount received found"},
}

var (
	reasonSame      = regexp.MustCompile(`^same notification as #(\d+)$`)
	reasonSignedTS  = regexp.MustCompile(`^signed timestamp (\S+) was used by #(\d+); each is used once$`)
	reasonApplied   = regexp.MustCompile(`^notification #(\d+) was applied already$`)
	reasonTriedWrap = regexp.MustCompile(`^(.*) \(tried (\d+) times\)$`)
)

// notificationReason says in the page's language why a stored request made
// no payment.
func notificationReason(ctx context.Context, n app.Notification) string {
	if Lang(ctx) != "en" && n.ReasonZh != "" {
		return n.ReasonZh
	}
	return reasonWords(ctx, n.Reason)
}

func reasonWords(ctx context.Context, r string) string {
	if l, ok := notificationReasons[r]; ok {
		return tr(ctx, l[0], l[1])
	}
	if m := reasonSame.FindStringSubmatch(r); m != nil {
		return fmt.Sprintf(tr(ctx, "与第 %s 条通知相同（手机重发）", "the same notification as #%s (the phone sent it again)"), m[1])
	}
	if m := reasonSignedTS.FindStringSubmatch(r); m != nil {
		return fmt.Sprintf(tr(ctx, "签名时间戳已被第 %s 条通知用过，每个只能用一次", "its signed timestamp was used by #%s; each is used once"), m[2])
	}
	if m := reasonApplied.FindStringSubmatch(r); m != nil {
		return fmt.Sprintf(tr(ctx, "第 %s 条通知已经处理过", "notification #%s was applied already"), m[1])
	}
	if m := reasonTriedWrap.FindStringSubmatch(r); m != nil {
		return fmt.Sprintf(tr(ctx, "处理失败（试了 %s 次）：%s", "could not be applied (tried %s times): %s"), m[2], reasonWords(ctx, m[1]))
	}
	return r
}

// successRateLabel names the success rate for what it is: paid among the
// orders that are finished (paid, expired or closed); orders still waiting
// for the payer are left out.
func successRateLabel(ctx context.Context, s app.PeriodStats) string {
	return fmt.Sprintf(tr(ctx, "成功率（已结束的 %d 单）", "Paid (of %d finished)"), s.Finished)
}

// trendText compares today's takings with yesterday's by the same time.
func trendText(ctx context.Context, today, yesterday money.Fen) string {
	switch {
	case yesterday == 0 && today == 0:
		return tr(ctx, "与昨天此时持平", "same as yesterday by now")
	case yesterday == 0:
		return tr(ctx, "昨天此时还没有收入", "nothing yet by now yesterday")
	case today == yesterday:
		return tr(ctx, "与昨天此时持平", "same as yesterday by now")
	}
	change := float64(today-yesterday) / float64(yesterday)
	if change > 0 {
		return tr(ctx, "比昨天此时 ↑ ", "↑ ") + pct(change) + tr(ctx, "", " on yesterday by now")
	}
	return tr(ctx, "比昨天此时 ↓ ", "↓ ") + pct(-change) + tr(ctx, "", " on yesterday by now")
}

func trendClass(today, yesterday money.Fen) string {
	switch {
	case today > yesterday:
		return "trend up"
	case today < yesterday:
		return "trend down"
	}
	return "trend"
}

// paymentFor says what a payment paid, for lists: the order's product and
// the shop's order number, or that it waits for a person.
func paymentFor(ctx context.Context, p app.Payment) string {
	switch {
	case p.OrderID != "":
		s := p.Order.ProductName
		if n := p.Order.ShopNumber(); n != "" {
			s += tr(ctx, " · 商城单号 ", " · shop no. ") + n
		}
		return s
	case p.Status == app.PaymentIgnored:
		return tr(ctx, "不属于任何订单", "pays no order")
	}
	return tr(ctx, "还没找到订单，等你确认", "no order found yet: review it")
}

// notifyTroubleLabel flags a paid order whose shop notification failed:
// given up, or failing and still retried.
func notifyTroubleLabel(ctx context.Context, s app.CallbackStatus) string {
	if s == app.CallbackFailed {
		return tr(ctx, "通知商城失败", "Shop not told")
	}
	return tr(ctx, "通知商城出错，重试中", "Shop notification failing, retrying")
}

// filterSummary says which of the folded filters are set, so a phone shows
// them without opening the fold.
func filterSummary(ctx context.Context, q console.OrderQuery) string {
	var parts []string
	if q.Status != "" {
		parts = append(parts, app.OrderStatus(q.Status).Label(Lang(ctx)))
	}
	if q.Method != "" {
		parts = append(parts, app.Method(q.Method).Label(Lang(ctx)))
	}
	if q.From != "" || q.To != "" {
		parts = append(parts, q.From+" – "+q.To)
	}
	if len(parts) == 0 {
		return ""
	}
	return tr(ctx, "：", ": ") + strings.Join(parts, tr(ctx, "、", ", "))
}

// Announcement is what the 收款播报 says and shows for a payment: say, read
// aloud as a 收款音箱 does ("支付宝到账 12.50 元"); title and body, for the
// screen and the browser notification.
func Announcement(lang string, a app.Arrival) (say, title, body string) {
	ctx := WithLang(context.Background(), lang)
	amount := a.Amount.Fixed2()
	switch a.Method {
	case app.MethodAlipay:
		say = tr(ctx, "支付宝到账 "+amount+" 元", "Alipay received "+amount+" yuan")
	case app.MethodWechat:
		say = tr(ctx, "微信到账 "+amount+" 元", "WeChat received "+amount+" yuan")
	default:
		say = tr(ctx, "到账 "+amount+" 元", "Received "+amount+" yuan")
	}
	title = tr(ctx, "收款 ", "Payment ") + yuan(a.Amount)
	if a.Method != "" {
		title += " · " + a.Method.Label(lang)
	}
	switch {
	case a.Order.ID != "":
		body = a.Order.ProductName
		if n := a.Order.ShopNumber(); n != "" {
			body += tr(ctx, " · 商城单号 ", " · shop no. ") + n
		}
		if d := a.Amount - a.Order.PayAmount; d != 0 {
			body += tr(ctx, "（", " (") + diffText(ctx, d) + tr(ctx, "）", ")")
		}
	default:
		body = tr(ctx, "没找到对应的订单：请在“收款”页确认", "No order found for it: review it on the Payments page")
	}
	return say, title, body
}

// announcerAttrs are the 收款播报's messages (assets/announce.js), in the
// page's language.
func announcerAttrs(ctx context.Context) templ.Attributes {
	return templ.Attributes{
		"data-msg-hello":   tr(ctx, "收款播报已开启", "Payment announcer on"),
		"data-msg-on":      tr(ctx, "播报中：收到钱会念出来", "On: each payment is read aloud"),
		"data-msg-tap":     tr(ctx, "播报中（静音）：点一下页面恢复声音", "On (silent): tap the page to bring the voice back"),
		"data-msg-off":     tr(ctx, "未开启", "Off"),
		"data-msg-login":   tr(ctx, "登录已过期：请刷新页面重新登录后再开启", "Signed out: reload, sign in and turn it on again"),
		"data-msg-offline": tr(ctx, "连不上 paygate，正在重试…", "Cannot reach paygate; retrying…"),
	}
}

// settleEntry is the audit entry of the person who matched the order's
// payment (人工确认 or 手动补单), shown with the payment in the timeline.
func settleEntry(t console.OrderTimeline) (app.AuditEntry, bool) {
	for _, e := range t.Audit {
		if t.Payment != nil && e.Subject == t.Payment.ID && (e.Action == app.AuditPaymentConfirm || e.Action == app.AuditPaymentRecord) {
			return e, true
		}
	}
	return app.AuditEntry{}, false
}

// timelineAudit is what people did to the order, but the match that
// settleEntry already shows with the payment: each action once.
func timelineAudit(t console.OrderTimeline) []app.AuditEntry {
	settled, ok := settleEntry(t)
	out := make([]app.AuditEntry, 0, len(t.Audit))
	for _, e := range t.Audit {
		if ok && e.ID == settled.ID {
			continue
		}
		out = append(out, e)
	}
	return out
}

// paren puts s in brackets as the page's language writes them.
func paren(ctx context.Context, s string) string { return tr(ctx, "（"+s+"）", " ("+s+")") }
