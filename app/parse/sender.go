package parse

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// WeChat and Alipay show a person's chat message under the same package as
// their payment notices, with the person's name as the title. A customer who
// types "微信支付收款88.00元" into a chat must not pay an order, so a payment
// counts only when the notice names the payment service as its sender: the
// title (or, under WeChat's own title "微信", the sender label before the
// message) is one of the services' accounts, and no person's label stands
// before the message (a group chat). Words rather than exact titles, because
// the apps rename their accounts (微信收款助手, 微信收款商业版, WeChat Pay) and
// a forwarder template may swap title and text.
var (
	wechatSenderWords = []string{"微信支付", "微信收款", "收款助手", "收款商业版", "收款", "到账", "赞赏", "wechat pay", "weixin pay"}
	// WeChat's own titles over a message whose sender is in the text
	// ("微信支付: …", 服务通知 over "微信收款助手：…").
	wechatAggregateTitles = []string{"微信", "wechat", "weixin", "服务通知"}
	// Alipay's notices are titled by the service (收款通知, 支付宝通知, 你已成功收款…,
	// 收钱码到账通知, 店员通); a friend's message is titled by the friend's name.
	alipaySenderWords = append([]string{"支付宝", "alipay", "通知", "提醒", "交易", "消息", "助手", "服务", "商家", "店员", "余额"}, receiveContext...)
	// Field names that end in a colon in a receipt ("收款金额:12.30元"): not a sender.
	fieldLabels = []string{"金额", "备注", "时间", "单号", "付款方", "收款方", "商户", "说明", "来自", "方式", "状态"}
)

// fromChat reports whether a notification of pkg is a person's message
// rather than the payment service's. title and text are normalized, before
// the group prefix is stripped. Without a title and a sender label nothing
// is known, and nothing is held against the notification.
func fromChat(pkg, title, text string) bool {
	switch MethodFromPackage(pkg) {
	case MethodWechat:
		return wechatChat(title, text)
	case MethodAlipay:
		return title != "" && !containsAny(strings.ToLower(title), alipaySenderWords)
	}
	return false
}

func wechatChat(title, text string) bool {
	label, labelled := senderLabel(text)
	switch {
	case title == "":
		return labelled && !wechatSender(label)
	case slices.Contains(wechatAggregateTitles, strings.ToLower(title)):
		return !labelled || !wechatSender(label)
	case !wechatSender(title):
		return true
	}
	// A group chat may be named like the service: its message still has
	// the person's label.
	return labelled && !wechatSender(label)
}

func wechatSender(s string) bool { return containsAny(strings.ToLower(s), wechatSenderWords) }

// senderLabel returns the sender WeChat puts before a message in a group
// chat or a grouped notice ("[3条]李四: …", "微信支付: …").
func senderLabel(text string) (string, bool) {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "[") {
		if j := strings.Index(t, "条]"); j > 1 && allDigits(t[1:j]) {
			t = strings.TrimSpace(t[j+len("条]"):])
		}
	}
	i := strings.Index(t, ":")
	if i <= 0 {
		return "", false
	}
	label := strings.TrimSpace(t[:i])
	if label == "" || utf8.RuneCountInString(label) > 20 || strings.ContainsAny(label, "0123456789¥\n[]()") || containsAny(label, fieldLabels) {
		return "", false
	}
	return label, true
}
