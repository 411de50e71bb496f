package views

import (
	"context"
	"embed"
	"net/url"
	"strings"
)

// snippetFiles holds the callback verification snippets the /docs page shows;
// docs_test.go runs each under its own interpreter against the shared
// signature vectors, so what people copy works.
//
//go:embed snippets
var snippetFiles embed.FS

func snippet(name string) string {
	b, err := snippetFiles.ReadFile("snippets/" + name)
	if err != nil {
		return ""
	}
	return strings.TrimRight(string(b), "\n")
}

// DocsData is the /docs page.
type DocsData struct {
	BaseURL string // this paygate as shops and phones reach it, e.g. https://pay.example.com
	PID     string // the 易支付 merchant id
	CSRF    string // for the language switch
}

// apiEndpoint is one row of the REST reference.
type apiEndpoint struct {
	ID, Method, Path, Auth string
	Zh, En                 string
	Curl                   string
}

const keyHeader = `-H "Authorization: Bearer YOUR_API_KEY"`

func apiEndpoints(base string) []apiEndpoint {
	json := `-H "Content-Type: application/json" `
	return []apiEndpoint{
		{"create-order", "POST", "/api/orders", "key",
			"创建订单。必填 productName、amount（元，最多两位小数）；可选 paymentMethod（alipay / wechat；不填则付款人在付款页选择，选好前回答里的 paymentMethod 为 null）、merchantOrderId（你的订单号，重复提交返回同一订单；换了 paymentMethod 则改用新方式，过期后 epay.reopen_within（默认 24 小时）内重复提交会重新打开）、notifyUrl、returnUrl、attach。返回的 amount 是付款人要付的金额（可能被调整几分钱），displayAmount 是你要的金额。",
			"Create an order. Required: productName, amount (yuan, at most 2 decimals); optional: paymentMethod (alipay / wechat; without it the payer picks on the checkout page, and paymentMethod reads null until then), merchantOrderId (your number: sending it again returns the same order; with another paymentMethod it switches, and within epay.reopen_within (24 hours by default) after it expired it is reopened), notifyUrl, returnUrl, attach. amount in the answer is what the payer pays (may be moved a few fen); displayAmount is what you asked for.",
			`curl -X POST ` + base + `/api/orders \
  ` + json + keyHeader + ` \
  -d '{"productName":"测试商品","amount":0.01,"paymentMethod":"alipay","merchantOrderId":"SHOP-1001"}'`},
		{"order-status", "GET", "/api/order-status?orderId=", "open",
			"查询订单状态（不需要密钥，付款页用它轮询）：pending、success、expired、failed。",
			"Order status (no key: checkout pages poll it): pending, success, expired, failed.",
			`curl "` + base + `/api/order-status?orderId=ORDER_ID"`},
		{"order-detail", "GET", "/api/orders/{id}", "key",
			"订单详情，包括 notifyUrl、returnUrl、attach。", "One order with notifyUrl, returnUrl and attach.",
			`curl ` + keyHeader + ` ` + base + `/api/orders/ORDER_ID`},
		{"order-close", "POST", "/api/orders/{id}/close", "key",
			"关闭一个未支付的订单，释放它占用的金额。", "Close an unpaid order and free its amount.",
			`curl -X POST ` + keyHeader + ` ` + base + `/api/orders/ORDER_ID/close`},
		{"config", "POST", "/api/config", "key",
			"修改设置：callbackUrl、apiKey、name、description、epayPid（易支付商户ID）。更换 apiKey 只接受 Bearer 密钥。还没有 API 密钥时，运行 paygate 的电脑上可以不带密钥设置第一个：必须 Content-Type: application/json；网页发起的跨站请求（403）、经过代理转发的请求一律拒绝。",
			"Change settings: callbackUrl, apiKey, name, description, epayPid (the 易支付 merchant id). Changing apiKey takes the Bearer key only. While there is no API key, the computer running paygate may set the first one without a key: with Content-Type: application/json; cross-site requests from web pages (403) and requests through a proxy are refused.",
			`curl -X POST ` + base + `/api/config \
  ` + json + keyHeader + ` \
  -d '{"callbackUrl":"https://shop.example.com/paygate/callback"}'`},
		{"payments", "GET", "/api/payments?page=&limit=&status=", "key",
			"收款列表，最新的在前；limit 最多 100；status 可选 success、unmatched、ignored；带 total 和每笔的 callbackStatus。",
			"Payments, newest first; limit at most 100; status may be success, unmatched, ignored; with total and each callbackStatus.",
			`curl ` + keyHeader + ` "` + base + `/api/payments?page=1&limit=20"`},
		{"payment-detail", "GET", "/api/payments/{id}", "key",
			"一笔收款和它的回调尝试记录。", "One payment with its callback attempt log.",
			`curl ` + keyHeader + ` ` + base + `/api/payments/PAYMENT_ID`},
		{"payment-confirm", "POST", "/api/payments/{id}/confirm", "key",
			"人工确认一笔未匹配的收款属于哪个订单。", "A person confirms which order an unmatched payment pays.",
			`curl -X POST ` + base + `/api/payments/PAYMENT_ID/confirm \
  ` + json + keyHeader + ` \
  -d '{"orderId":"ORDER_ID"}'`},
		{"payment-ignore", "POST", "/api/payments/{id}/ignore", "key",
			"确认一笔未匹配的收款不属于任何订单。", "Decide an unmatched payment pays no order.",
			`curl -X POST ` + keyHeader + ` ` + base + `/api/payments/PAYMENT_ID/ignore`},
		{"payment-resend", "POST", "/api/payments/{id}/resend-callback", "key",
			"重新发送回调（商户回调或易支付通知）。", "Send the callback (merchant callback or 易支付 notify) again.",
			`curl -X POST ` + keyHeader + ` ` + base + `/api/payments/PAYMENT_ID/resend-callback`},
		{"devices", "GET", "/api/devices", "key",
			"转发设备（手机）列表和在线状态，不含设备密钥。另有 DELETE /api/devices/{id}。",
			"Forwarders (phones) and whether they are online, never their keys. Also DELETE /api/devices/{id}.",
			`curl ` + keyHeader + ` ` + base + `/api/devices`},
		{"device-create", "POST", "/api/devices", "bearer",
			"添加一台转发设备 {\"name\":\"店里的小米\"}；应答里的 key 是它的密钥，只显示这一次。POST /api/devices/{id}/rotate-key 更换密钥，新密钥同样只在应答里显示。",
			"Add a forwarder {\"name\":\"shop phone\"}; key in the answer is its key, shown this once. POST /api/devices/{id}/rotate-key replaces it, the new key likewise shown only in the answer.",
			`curl -X POST ` + base + `/api/devices \
  ` + json + keyHeader + ` \
  -d '{"name":"店里的小米"}'`},
		{"notifications", "GET", "/api/notifications?outcome=", "key",
			"保存下来的转发请求原文（outcome：refused、ignored、invalid、payment、duplicate）；POST /api/notifications/reparse {\"since\":\"…\"} 用新的解析规则重新读取。",
			"Stored raw forwarder requests (outcome: refused, ignored, invalid, payment, duplicate); POST /api/notifications/reparse {\"since\":\"…\"} reads them again.",
			`curl ` + keyHeader + ` "` + base + `/api/notifications?outcome=ignored"`},
		{"health", "GET", "/health", "open", "存活检查。", "Liveness.", `curl ` + base + `/health`},
	}
}

// signedOrderCurl creates an order with a signed request instead of the key
// (docs_test.go runs it and checks the signature with paygate's own code).
func signedOrderCurl(base string) string {
	return `KEY=YOUR_API_KEY
TS=$(date +%s); NONCE=$(openssl rand -hex 16)
# 签名串 / the signed string: 方法 METHOD \n 路径 PATH \n 排好序的字段 sorted fields
S="POST
/api/orders
amount=0.01&api_key=$KEY&nonce=$NONCE&paymentMethod=alipay&productName=test&timestamp=$TS"
SIG=$(printf '%s' "$S" | openssl dgst -sha256 -hmac "$KEY" | sed 's/^.* //')
curl -X POST ` + base + `/api/orders -H "Content-Type: application/json" \
  -d "{\"productName\":\"test\",\"amount\":0.01,\"paymentMethod\":\"alipay\",\"timestamp\":\"$TS\",\"nonce\":\"$NONCE\",\"signature\":\"$SIG\"}"`
}

func webhookCurl(base string) string {
	return `curl -X POST ` + base + `/webhook \
  -H "Content-Type: application/json" \
  -H "key: YOUR_DEVICE_KEY" \
  -d '{"message":"收到转账0.01元(支付宝)"}'`
}

func callbackExample() string {
	return `{"orderId":"ORD…","amount":10.01,"uid":"ORD…","paymentMethod":"alipay","status":"success",
 "timestamp":"2026-11-26 16:10:05","customerType":null,"nonce":"9f1c2b3a4d5e6f70",
 "displayAmount":10,"paidAt":"2026-11-26 16:10:04","merchantOrderId":"SHOP-1001","signature":"…"}`
}

func epayMAPICurl(base, pid string) string {
	return `KEY=YOUR_API_KEY
S="money=1.00&name=测试商品&notify_url=https://shop.example.com/epay/notify&out_trade_no=T1001&pid=` + pid + `&type=alipay"
# 签名 = md5(排好序的参数 + 密钥)；macOS 用 md5 -q 代替 md5sum
curl -X POST ` + base + `/mapi.php --data "$S&sign=$(printf '%s' "$S$KEY" | md5sum | cut -c1-32)&sign_type=MD5"`
}

func epayQueryCurl(base, pid string) string {
	return `curl "` + base + `/api.php?act=order&pid=` + pid + `&key=YOUR_API_KEY&out_trade_no=T1001"`
}

func epayNotifyExample(pid string) string {
	return `GET https://shop.example.com/epay/notify?money=1.00&name=测试商品&out_trade_no=T1001&pid=` + pid +
		`&trade_no=ORD…&trade_status=TRADE_SUCCESS&type=alipay&sign=…&sign_type=MD5`
}

// errorCode is one row of the error table.
type errorCode struct {
	Code   string
	Status int
	Zh, En string
}

var errorCodes = []errorCode{
	{"invalid", 400, "参数不对：error 说明是哪个字段、该怎么改。", "Bad input: error names the field and says what to send."},
	{"unknown_method", 400, "不支持的支付方式。", "A payment method paygate does not handle."},
	{"unauthorized", 401, "缺少或错误的 API 密钥 / 签名，nonce 用过，或在只接受 Bearer 的接口用了签名。", "Missing or wrong API key or signature, a used nonce, or a signature where only the Bearer key is taken."},
	{"forbidden", 403, "不允许：例如页面过期的后台请求，或网页跨站设置第一个 API 密钥。", "Not allowed: e.g. a stale console page, or a web page setting the first API key cross-site."},
	{"not_found", 404, "没有这个订单、收款或地址。", "No such order, payment or endpoint."},
	{"conflict", 409, "状态不允许：例如同一 merchantOrderId 参数不同、订单已支付。", "The state does not allow it: e.g. a merchantOrderId reused with other parameters, an order already paid."},
	{"slots_exhausted", 409, "这个金额附近可调整的金额都被未支付订单占满：稍后再试或换个金额。", "Every payable amount near this one is held by unpaid orders: retry later or use another amount."},
	{"too_large", 413, "请求体太大。", "The request body is too large."},
	{"unsupported", 415, "不支持的 Content-Type：请发 JSON。", "Unsupported Content-Type: send JSON."},
	{"rate_limited", 429, "请求太频繁。", "Too many requests."},
	{"unavailable", 503, "暂时不可用，稍后重试。", "Temporarily unavailable: retry."},
	{"disk_full", 503, "服务器磁盘已满，什么也存不下：稍后重试（看 Retry-After）。服务器管理员腾出空间后 paygate 自己恢复。", "The server's disk is full and nothing can be saved: retry later (see Retry-After). Once whoever runs the server frees space, paygate recovers by itself."},
	{"internal", 500, "paygate 自身出错：查看日志。", "paygate failed: see its log."},
}

func authLabel(ctx context.Context, auth string) string {
	switch auth {
	case "open":
		return tr(ctx, "公开", "open")
	case "bearer":
		return tr(ctx, "仅 Bearer", "Bearer only")
	}
	return tr(ctx, "密钥", "key")
}

func authClass(auth string) string {
	if auth == "open" {
		return "badge ok"
	}
	return "badge warn"
}

// hostOf is host:port of a base URL, what the V免签 app pairs with.
func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}

// epayV2Config is the official SDK 2.0's epay.config.php for this paygate.
func epayV2Config(base, pid string) string {
	return `$epay_config['apiurl'] = '` + base + `/';
$epay_config['pid'] = '` + pid + `';
// 设置 → 易支付 V2 的“平台公钥”，一行 / Settings → 易支付 V2: the platform public key, one line
$epay_config['platform_public_key'] = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…';
// 商城自己的商户私钥（公钥填在 paygate 设置里）/ the shop's merchant private key (its public key goes into paygate)
$epay_config['merchant_private_key'] = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ…';`
}
