package parse

import "strings"

// MethodFromPackage maps an Android package name to a payment method.
//
//   - Alipay: com.eg.android.AlipayGphone (the Alipay app) and every com.alipay.*
//     package (e.g. com.alipay.m.portal, 支付宝商家版; HarmonyOS builds).
//   - WeChat: com.tencent.mm (and com.tencent.wechat, WeChat's HarmonyOS bundle).
//     Other Tencent apps (企业微信 com.tencent.wework, QQ) are not WeChat Pay and
//     give MethodUnknown here; for 企业微信's own receipts see weworkReceipt.
//
// AlipayHK (hk.alipay.wallet) is not mapped: it moves HKD, not yuan.
func MethodFromPackage(pkg string) Method {
	p := strings.ToLower(strings.TrimSpace(pkg))
	switch {
	case p == "com.eg.android.alipaygphone", strings.HasPrefix(p, "com.alipay."):
		return MethodAlipay
	case p == "com.tencent.mm", p == "com.tencent.wechat":
		return MethodWechat
	}
	return MethodUnknown
}

// Explicit method markers, as in the merchant guide's test message
// "收到转账0.01元(支付宝)" and 收钱吧's "成功收款0.53元,来自微信". Brackets are
// already half-width here (normalize).
var (
	alipayMarkers = []string{"(支付宝)", "[支付宝]", "来自支付宝", "(alipay)"}
	wechatMarkers = []string{"(微信)", "(微信支付)", "[微信]", "来自微信", "(wechat)"}
	// Words that only one of the two apps uses: 收钱码, 店员通, 余额宝 and 花呗 are
	// Alipay's; 赞赏(码), 朋友到店, 零钱 and 收款助手 are WeChat's.
	alipayWords = []string{"支付宝", "收钱码", "店员通", "余额宝", "花呗", "alipay"}
	wechatWords = []string{"微信", "赞赏", "朋友到店", "零钱", "收款助手", "wechat", "weixin"}
)

// WeCom (企业微信, com.tencent.wework) 对外收款 settles into WeChat Pay, and
// the V免签 app pushes its receipts as WeChat (type=1): hulisang/vmqApk
// (commits 2ddd715 "支持企业微信小薇商户二维码收款", e56a800 "兼容最新企业微信")
// takes a wework notification titled 对外收款 or 企业微信 whose text says
// 成功收款 or 收款通知. That rule, and only it, makes a wework notification
// WeChat; the fork's looser "text mentions 微信支付" is left out, as a chat
// message in 企业微信 can say anything.
const weworkPackage = "com.tencent.wework"

var (
	weworkReceiptTitles = []string{"对外收款", "企业微信"}
	weworkReceiptWords  = []string{"成功收款", "收款通知"}
)

// weworkReceipt reports whether a notification of pkg is a 企业微信 对外收款 receipt.
func weworkReceipt(pkg, title, text string) bool {
	if !strings.EqualFold(strings.TrimSpace(pkg), weworkPackage) {
		return false
	}
	t := strings.TrimSpace(title)
	for _, want := range weworkReceiptTitles {
		if t == want {
			return containsAny(text, weworkReceiptWords)
		}
	}
	return false
}

// detectMethod: the package name first (a 企业微信 对外收款 receipt is
// WeChat, any other 企业微信 notification names none); then an explicit
// marker such as the "(支付宝)" suffix; then words in the title, then in the
// text. When both apps are named at the same level, the method stays unknown
// rather than guessed.
func detectMethod(pkg, title, text string) Method {
	if m := MethodFromPackage(pkg); m != MethodUnknown {
		return m
	}
	if weworkReceipt(pkg, title, text) {
		return MethodWechat
	}
	if strings.EqualFold(strings.TrimSpace(pkg), weworkPackage) {
		return MethodUnknown
	}
	all := strings.ToLower(title + "\n" + text)
	if m := pick(containsAny(all, alipayMarkers), containsAny(all, wechatMarkers)); m != MethodUnknown {
		return m
	}
	for _, s := range []string{title, text} {
		s = strings.ToLower(s)
		if m := pick(containsAny(s, alipayWords), containsAny(s, wechatWords)); m != MethodUnknown {
			return m
		}
	}
	return MethodUnknown
}

func pick(alipay, wechat bool) Method {
	switch {
	case alipay && !wechat:
		return MethodAlipay
	case wechat && !alipay:
		return MethodWechat
	}
	return MethodUnknown
}
