package views

import (
	"context"
	"regexp"
	"strings"

	"paygate/app"
)

// The callback dispatcher logs why an attempt did not count in English (it
// is also the log's language); people reading the Chinese console get the
// same reason in Chinese. Unknown texts (network errors from the OS) are
// shown as they are, behind a Chinese label.
var attemptReasons = []struct {
	re *regexp.Regexp
	zh string // may use $1 for the HTTP status
}{
	{regexp.MustCompile(`^no callback URL`), "没有通知地址：请在“设置”页填写，或创建订单时传 notifyUrl。"},
	{regexp.MustCompile(`^no API key`), "没有 API 密钥，无法签名：请在“设置”页设置。"},
	{regexp.MustCompile(`^the 易支付 request of this order is missing`), "找不到这笔订单的易支付请求记录。"},
	{regexp.MustCompile(`^no 易支付 V2 platform key`), "没有易支付 V2 平台密钥，无法签名：请打开“设置”页的“易支付 V2”部分（会自动生成），并把平台公钥填到商城里。"},
	{regexp.MustCompile(`^callback URL is not valid`), "通知地址无效：请检查“设置”页里的网址。"},
	{regexp.MustCompile(`^no answer within (\S+)`), "商城网站在 $1 内没有回应。"},
	{regexp.MustCompile(`^HTTP (\d+) redirect not followed`), "商城返回了 HTTP $1 跳转，paygate 不跟随跳转：请把通知地址改成最终地址。"},
	{regexp.MustCompile(`^HTTP (\d+): the merchant must answer 2xx`), "商城返回 HTTP $1，需要返回 2xx。"},
	{regexp.MustCompile(`^HTTP (\d+) but the body does not contain success`), "商城返回 HTTP $1，但内容里没有 success（易支付要求返回 success）。"},
	{regexp.MustCompile(`^HTTP (\d+) but the body is not`), "商城返回 HTTP $1，但内容不是 {\"success\":true} 或 success。"},
}

// blockedReason is netguard.BlockedError's text: the target and the kind of address.
var blockedReason = regexp.MustCompile(`^blocked: (.+?) is (.+?);`)

// attemptError is a callback attempt's failure reason in the page's language.
func attemptError(ctx context.Context, reason string) string {
	if Lang(ctx) == "en" || reason == "" {
		return reason
	}
	if m := blockedReason.FindStringSubmatch(reason); m != nil {
		if m[2] == app.AddressSelf.En {
			return "已拦截，没有发送：" + m[1] + " 是 paygate 自己，单笔订单的通知地址不能指向 paygate。"
		}
		kind := "内部地址"
		for _, k := range app.AddressKinds {
			if k.En == m[2] {
				kind = k.Zh
			}
		}
		return "已拦截，没有发送：" + m[1] + " 是" + kind + "，单笔订单的通知地址不能访问本机或内网。如确需通知本机或内网的商城，请把这个主机加入配置 callback.allow_hosts（环境变量 PAYGATE_CALLBACK_ALLOW_HOSTS）。"
	}
	for _, r := range attemptReasons {
		if m := r.re.FindStringSubmatchIndex(reason); m != nil {
			return string(r.re.ExpandString(nil, r.zh, reason, m))
		}
	}
	if strings.Contains(reason, "connection refused") {
		return "连不上商城网站（连接被拒绝）：商城服务器没有运行，或地址/端口不对。"
	}
	return "网络错误：" + reason
}

// withoutStop drops a final full stop, for a reason that a sentence continues.
func withoutStop(s string) string { return strings.TrimSuffix(strings.TrimSuffix(s, "。"), ".") }
