package app

import "strings"

// Browser is where a payer reads the checkout page, as its User-Agent tells:
// a phone's or computer's own browser, or the in-app browser of an app a
// link was opened in. What works differs: inside WeChat a WeChat 收款码 is
// paid by long-pressing it, but WeChat blocks every link into Alipay
// (alipays://); inside Alipay the Alipay app opens its own codes; other apps
// (QQ, DingTalk, Weibo, Douyin …) open neither, so the payer saves the code
// or opens the page in a real browser.
type Browser string

const (
	BrowserPlain    Browser = ""         // the phone's or computer's own browser
	BrowserWechat   Browser = "wechat"   // WeChat (MicroMessenger)
	BrowserAlipay   Browser = "alipay"   // Alipay (AlipayClient)
	BrowserQQ       Browser = "qq"       // QQ's in-app browser (not QQ浏览器, a real browser)
	BrowserDingTalk Browser = "dingtalk" // DingTalk
	BrowserInApp    Browser = "inapp"    // another app's in-app browser: WeCom, Weibo, Douyin, Feishu …
)

// inAppMarks are User-Agent pieces of apps whose in-app browser opens
// neither WeChat nor Alipay payments, in the order they are checked.
var inAppMarks = []string{
	"wxwork/", // WeCom (企业微信) says MicroMessenger too, but does not pay personal 收款码
	"weibo", "aweme", "bytedancewebview", "newsarticle", "kwai", "kswebview", "xhsdiscover",
	"baiduboxapp", "lark/", "feishu", "fban", "fbav", "instagram", "line/",
}

// DetectBrowser reads a User-Agent header.
func DetectBrowser(userAgent string) Browser {
	ua := strings.ToLower(userAgent)
	for _, mark := range inAppMarks {
		if strings.Contains(ua, mark) {
			return BrowserInApp
		}
	}
	switch {
	case strings.Contains(ua, "micromessenger"):
		return BrowserWechat
	case strings.Contains(ua, "alipayclient") || strings.Contains(ua, "aliapp(ap/"):
		return BrowserAlipay
	case strings.Contains(ua, "dingtalk"):
		return BrowserDingTalk
	case qqInApp(ua):
		return BrowserQQ
	}
	return BrowserPlain
}

// qqInApp: QQ's in-app browser says "QQ/8.9.28…"; QQ浏览器 (MQQBrowser,
// QQBrowser) is a real browser, and WeChat's older User-Agents mention
// MQQBrowser too.
func qqInApp(ua string) bool {
	for i := strings.Index(ua, "qq/"); i >= 0; {
		if i == 0 || ua[i-1] == ' ' || ua[i-1] == ';' || ua[i-1] == '(' {
			return true
		}
		next := strings.Index(ua[i+3:], "qq/")
		if next < 0 {
			return false
		}
		i += 3 + next
	}
	return false
}

// InApp reports whether the page is open inside another app.
func (b Browser) InApp() bool { return b != BrowserPlain }

// Method is the method that pays right there, inside the app: WeChat Pay in
// WeChat, Alipay in Alipay; "" elsewhere.
func (b Browser) Method() Method {
	switch b {
	case BrowserWechat:
		return MethodWechat
	case BrowserAlipay:
		return MethodAlipay
	}
	return ""
}

// OpensAlipay reports whether a link into the Alipay app (alipays://) can
// work here: in a phone's own browser and in Alipay itself. WeChat blocks
// it, and the other apps' browsers refuse or ignore it.
func (b Browser) OpensAlipay() bool { return b == BrowserPlain || b == BrowserAlipay }

// Prefer orders offered methods for a payer in b: the one that pays inside
// the app first, the rest as given.
func (b Browser) Prefer(offered []Method) []Method {
	m := b.Method()
	if m == "" || !methodIn(m, offered) {
		return offered
	}
	out := []Method{m}
	for _, x := range offered {
		if x != m {
			out = append(out, x)
		}
	}
	return out
}
