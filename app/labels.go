package app

// Words for people: every status a person reads, in Chinese or English
// (lang "en"), the same in the console and in exports.

func pick(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

// Label is the order status for people.
func (s OrderStatus) Label(lang string) string {
	switch s {
	case OrderPending:
		return pick(lang, "待支付", "Pending")
	case OrderSuccess:
		return pick(lang, "已支付", "Paid")
	case OrderExpired:
		return pick(lang, "已过期", "Expired")
	case OrderFailed:
		return pick(lang, "已关闭", "Closed")
	}
	return pick(lang, "未知状态", "Unknown status")
}

// Label is the payment status for people.
func (s PaymentStatus) Label(lang string) string {
	switch s {
	case PaymentMatched:
		return pick(lang, "已匹配订单", "Matched")
	case PaymentUnmatched:
		return pick(lang, "待确认", "Needs review")
	case PaymentIgnored:
		return pick(lang, "已忽略", "Ignored")
	}
	return pick(lang, "未知状态", "Unknown status")
}

// Label is the state of telling the shop about a payment (通知商城; the
// merchant guide calls it 回调, callback).
func (s CallbackStatus) Label(lang string) string {
	switch s {
	case CallbackPending:
		return pick(lang, "通知中", "Sending")
	case CallbackSent:
		return pick(lang, "商城已收到", "Delivered")
	case CallbackFailed:
		return pick(lang, "通知失败", "Failed")
	}
	return pick(lang, "无需通知", "None")
}

// Label is how sure paygate is that a payment is an order's (可信度).
func (c Confidence) Label(lang string) string {
	switch c {
	case ConfidenceHigh:
		return pick(lang, "可信度高", "Very likely")
	case ConfidenceMedium:
		return pick(lang, "可信度中", "Likely")
	case ConfidenceLow:
		return pick(lang, "可信度低", "Possible")
	}
	return pick(lang, "无候选订单", "No candidate")
}

// MatchedByLabel says who matched a payment to its order: paygate by
// itself ("auto"), the shop's server ("api"), or the person named.
func MatchedByLabel(by, lang string) string {
	switch by {
	case "":
		return ""
	case "auto":
		return pick(lang, "自动匹配", "Automatically")
	case "api":
		return pick(lang, "商城接口", "The shop's API")
	case "system":
		return pick(lang, "系统", "System")
	}
	return by
}
