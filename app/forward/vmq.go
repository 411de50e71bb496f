package forward

import (
	"crypto/md5"
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/sign"
)

// The V免签 monitor app (szvone/vmqApk) calls, all GET at the server root:
//
//	/appHeart?t=<ms>&sign=md5(t+key)                      every 30 s
//	/appPush?t=<ms>&type=<1 wechat|2 alipay>&price=<Java Double>&sign=md5(type+price+t+key)
//
// Its fork hulisang/vmqApk (V2.1, 2025) calls the same as
// /api/monitor/heart and /api/monitor/push, and repeats a push the same URL
// plus &force_push=true (unsigned) up to 5 times when it gets no 2xx.
// The sign covers price exactly as sent ("10.0", "0.01", "1.0E7"), so it is
// verified over the raw text before the price is read. It has no separators,
// so t must be canonical (canonicalT), and a push's t is used once per device
// (gateway.ingestVmqPush): a captured sign never pays a second time.

// Paths of the V免签 app's calls: the original app's and the fork's.
const (
	VmqHeartPath     = "/appHeart"
	VmqPushPath      = "/appPush"
	VmqStatePath     = "/getState"
	VmqForkHeartPath = "/api/monitor/heart"
	VmqForkPushPath  = "/api/monitor/push"
)

// IsVmqPush reports whether a request to path is a V免签 push.
func IsVmqPush(path string) bool { return path == VmqPushPath || path == VmqForkPushPath }

// IsVmqHeart reports whether a request to path is a V免签 heartbeat.
func IsVmqHeart(path string) bool { return path == VmqHeartPath || path == VmqForkHeartPath }

// IsVmqPath reports whether path is one of the V免签 app's endpoints.
func IsVmqPath(path string) bool { return IsVmqPush(path) || IsVmqHeart(path) || path == VmqStatePath }

// VmqRequest is one V免签 call.
type VmqRequest struct {
	T     string
	Type  string
	Price string // as sent
	Sign  string
}

// DecodeVmq reads a V免签 request from its query string (and form body, for
// servers that proxy it as POST).
func DecodeVmq(r app.RawRequest) (VmqRequest, error) {
	fields, err := requestFields(r)
	if err != nil {
		return VmqRequest{}, err
	}
	v := VmqRequest{
		T:     strings.TrimSpace(fields["t"]),
		Type:  strings.TrimSpace(fields["type"]),
		Price: strings.TrimSpace(fields["price"]),
		Sign:  strings.ToLower(strings.TrimSpace(fields["sign"])),
	}
	if v.T == "" || v.Sign == "" {
		return v, app.NewError(app.EINVALID, "sign",
			"缺少参数 t 或 sign：V免签监控端的请求应形如 /appHeart?t=毫秒时间戳&sign=md5(t+密钥)。",
			"Missing t or sign: a V免签 request looks like /appHeart?t=<ms>&sign=md5(t+key).")
	}
	if !canonicalT(v.T) {
		return v, app.NewError(app.EINVALID, "t",
			"t 必须是只由数字 0–9 写成的时间戳，不以 0 开头，不带 + 或 - 号（V免签监控端发送的是毫秒时间戳，例如 1796221279334），收到的是 "+app.Clip(v.T, 20)+"。",
			"t must be a timestamp written in the digits 0–9 only, with no leading zero and no + or - sign (the V免签 app sends milliseconds, e.g. 1796221279334), got "+app.Clip(v.T, 20)+".")
	}
	return v, nil
}

// canonicalT reports whether t is written the one way a number can be:
// ASCII digits, no leading zero, no sign. The push sign md5(type+price+t+key)
// has no separators, so if "030" counted as 30, digits could move from price
// to t ("30" and "1796…" → "3" and "01796…") under the same sign.
func canonicalT(t string) bool {
	if t == "" || t[0] == '0' {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// Md5Hex is lowercase hex md5, as the app and V免签 servers compute it.
func Md5Hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// VerifyHeart checks md5(t+key).
func (v VmqRequest) VerifyHeart(key string) bool {
	return sign.Equal(Md5Hex(v.T+key), v.Sign)
}

// VerifyPush checks md5(type+price+t+key).
func (v VmqRequest) VerifyPush(key string) bool {
	return sign.Equal(Md5Hex(v.Type+v.Price+v.T+key), v.Sign)
}

// PushMethod maps the app's type: 1 = WeChat (and WeCom), 2 = Alipay.
func (v VmqRequest) PushMethod() (app.Method, error) {
	switch v.Type {
	case "1":
		return app.MethodWechat, nil
	case "2":
		return app.MethodAlipay, nil
	}
	return "", app.NewError(app.EINVALID, "type",
		"type 只能是 1（微信）或 2（支付宝），收到的是 "+app.Clip(v.Type, 20)+"。",
		"type must be 1 (WeChat) or 2 (Alipay), got "+app.Clip(v.Type, 20)+".")
}

// PushAmount reads the price: plain decimals exactly, Java exponent forms
// ("1.0E7") through a float rounded to the fen.
func (v VmqRequest) PushAmount() (money.Fen, error) {
	bad := app.NewError(app.EINVALID, "price",
		"price 必须是大于 0 的金额（元），例如 10.0，收到的是 "+app.Clip(v.Price, 20)+"。",
		"price must be an amount of yuan above 0, e.g. 10.0, got "+app.Clip(v.Price, 20)+".")
	if f, err := money.ParseYuan(v.Price); err == nil {
		if f <= 0 {
			return 0, bad
		}
		return f, nil
	}
	if !strings.ContainsAny(v.Price, "eE") {
		return 0, bad
	}
	x, err := strconv.ParseFloat(v.Price, 64)
	if err != nil || math.IsNaN(x) || x <= 0 || x > 1e10 {
		return 0, bad
	}
	return money.Fen(math.Round(x * 100)), nil
}
