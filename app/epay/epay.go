// Package epay speaks the 易支付 (epay, 彩虹易支付) protocol that Chinese shop
// software such as 独角数卡 (dujiaoka) already implements: the MD5 request
// signature and the notify / return parameters. It is pure: no I/O.
//
// The signature, as 彩虹易支付's paraFilter / argSort / createLinkstring /
// md5Sign do it: drop sign, sign_type and every empty value; sort the rest by
// name (byte order, as PHP's ksort on ASCII names); join name=value with &,
// values as they are (no URL encoding); append the merchant key; MD5; lowercase
// hex.
package epay

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"

	"paygate/app"
)

// TradeSuccess is the only trade_status paygate sends: notifies go out for paid orders only.
const TradeSuccess = "TRADE_SUCCESS"

// SignString is the text that is hashed, without the key.
func SignString(params map[string]string) string {
	return joinSorted(params, func(v string) bool { return v == "" })
}

// joinSorted joins params but sign, sign_type and those whose value is
// blank, sorted by name, as k=v with &: the text both sign types hash.
// V1 and V2 differ only in what counts as blank.
func joinSorted(params map[string]string, blank func(string) bool) string {
	keys := make([]string, 0, len(params))
	for k, v := range params {
		if k == "sign" || k == "sign_type" || blank(v) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k])
	}
	return b.String()
}

// Sign is md5(SignString(params) + key) in lowercase hex.
func Sign(params map[string]string, key string) string {
	sum := md5.Sum([]byte(SignString(params) + key))
	return hex.EncodeToString(sum[:])
}

// Verify reports whether sign is params' signature under key, in constant
// time. Uppercase hex is accepted too (some clients send it).
func Verify(params map[string]string, key, sign string) bool {
	want := Sign(params, key)
	got := strings.ToLower(strings.TrimSpace(sign))
	return len(got) == len(want) && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// NotifyParams are the signed parameters of the notify GET and of the return
// URL of a paid order: pid trade_no out_trade_no type name money
// trade_status=TRADE_SUCCESS [param] sign sign_type=MD5.
//
// money is the amount as the client wrote it when it created the order (its
// requested amount), never the adjusted amount the payer was shown: clients
// compare it with their own order amount (独角数卡 with bccomp to 2 places,
// others as strings), and 彩虹易支付 itself reports its order's money, not
// the randomly adjusted realmoney the payer paid.
func NotifyParams(e app.EpayOrder, key string) url.Values {
	p := map[string]string{
		"pid":          e.PID,
		"trade_no":     e.OrderID,
		"out_trade_no": e.OutTradeNo,
		"type":         e.Type,
		"name":         e.Name,
		"money":        e.Money,
		"trade_status": TradeSuccess,
	}
	if e.Param != "" {
		p["param"] = e.Param
	}
	q := url.Values{}
	for k, v := range p {
		if v != "" {
			q.Set(k, v)
		}
	}
	q.Set("sign", Sign(p, key))
	q.Set("sign_type", "MD5")
	return q
}

// WithQuery appends q to u the way 彩虹易支付 does: after "&" when u already
// has a query, else after "?".
func WithQuery(u string, q url.Values) string {
	if strings.Contains(u, "?") {
		return u + "&" + q.Encode()
	}
	return u + "?" + q.Encode()
}
