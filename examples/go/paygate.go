package main

// paygate 签名工具（只用 Go 标准库，可直接复制到你的项目）。
// paygate signing helpers (Go standard library only; copy into your project).
//
// 签名规则 / the rule: 除 signature 外的所有字段，去掉 null（和空字符串），加入 api_key，
// 按键名字节序排序，拼成 k=v 用 & 连接，以 API 密钥做 HMAC-SHA256，小写十六进制。
// Every field but signature, null (and empty) values dropped, api_key added,
// keys sorted by byte order, k=v joined with &, HMAC-SHA256 keyed by the API
// key, lowercase hex.
//
// 回调只签这个串；发给 paygate 的签名请求在前面加上 请求方法 + "\n" + 路径（不含查询串）+ "\n"，
// 所以回调永远不能当作请求用。
// Callbacks sign that string alone; a signed request to paygate puts its
// method and path (without the query) in front, each followed by "\n", so a
// callback can never pass as a request.

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Window is how far a callback's timestamp may be from now.
// 回调 timestamp 与本机时间允许相差 5 分钟。
const Window = 5 * time.Minute

// shanghai is UTC+8 (China has no daylight saving). A fixed zone needs no tzdata.
// 上海时间 = UTC+8，固定时区不依赖系统时区数据。
var shanghai = time.FixedZone("CST", 8*3600)

// Fields are a message's fields as text: strings unquoted, numbers exactly as
// written in the JSON (1, 100, 0.1, 1234.5), booleans "true"/"false"; null is absent.
// 字段的文本形式：数字保留 JSON 原文，null 不出现。
type Fields map[string]string

// ParseFields decodes a JSON object keeping every number's text (json.Number),
// so the signature string is built from exactly what paygate sent.
// 解析 JSON 对象并保留数字原文（不要解析成 float64 再格式化）。
func ParseFields(body []byte) (Fields, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("请求体不是 JSON 对象 body is not a JSON object: %w", err)
	}
	if obj == nil {
		return nil, errors.New("请求体不是 JSON 对象 body is not a JSON object")
	}
	f := Fields{}
	for k, v := range obj {
		switch v := v.(type) {
		case nil:
			// null 不参与签名 / null is not signed
		case string:
			f[k] = v
		case json.Number:
			f[k] = v.String()
		case bool:
			f[k] = strconv.FormatBool(v)
		default:
			return nil, fmt.Errorf("字段 %s 不能是对象或数组 field %s is an object or array", k, k)
		}
	}
	return f, nil
}

// Canonical is the string that is signed. 被签名的字符串。
func Canonical(f Fields, apiKey string) string {
	keys := make([]string, 0, len(f)+1)
	for k, v := range f {
		if k != "signature" && k != "api_key" && v != "" {
			keys = append(keys, k)
		}
	}
	keys = append(keys, "api_key")
	sort.Strings(keys) // Go 的字符串比较就是字节序 / byte order
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		v := f[k]
		if k == "api_key" {
			v = apiKey
		}
		b.WriteString(k + "=" + v)
	}
	return b.String()
}

// Sign computes the signature. 计算签名。
func Sign(f Fields, apiKey string) string {
	m := hmac.New(sha256.New, []byte(apiKey))
	m.Write([]byte(Canonical(f, apiKey)))
	return hex.EncodeToString(m.Sum(nil))
}

// SignatureMatches compares f["signature"] with the right one in constant time.
// 以恒定时间比较签名。
func SignatureMatches(f Fields, apiKey string) bool {
	got, err := hex.DecodeString(f["signature"])
	if err != nil || len(got) != sha256.Size {
		return false
	}
	want, _ := hex.DecodeString(Sign(f, apiKey))
	return hmac.Equal(got, want)
}

// ParseShanghaiTime reads "2006-01-02 15:04:05" as Shanghai time (UTC+8), not
// the server's local zone. 按上海时间解析，不用本机时区。
func ParseShanghaiTime(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateTime, s, shanghai)
}

// Verifier checks callbacks: signature, timestamp within Window, unused nonce.
// It is safe for concurrent use. Idempotency (an order processed once) is the
// business code's job: see main.go.
// 检查回调：签名、时间戳（5 分钟内）、nonce 未用过；并发安全。幂等由业务代码负责。
type Verifier struct {
	APIKey string
	Now    func() time.Time // nil: time.Now

	mu     sync.Mutex
	nonces map[string]time.Time // nonce → expiry
}

// Check returns nil for a genuine callback, else why it is rejected.
// 通过返回 nil，否则返回拒绝原因。
func (v *Verifier) Check(f Fields) error {
	if !SignatureMatches(f, v.APIKey) {
		return errors.New("签名不正确 bad signature（API 密钥不一致或数据被篡改 / wrong API key or tampered data）")
	}
	// paygate 的 timestamp 是本次发送的上海时间，重试时也是新的。
	// paygate's timestamp is this attempt's Shanghai time, fresh on every retry.
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	sent, err := ParseShanghaiTime(f["timestamp"])
	if err != nil {
		return fmt.Errorf("timestamp 格式不对 bad timestamp %q", f["timestamp"])
	}
	if d := now.Sub(sent); d > Window || d < -Window {
		return fmt.Errorf("timestamp 与本机时间相差 %s，超过 5 分钟 too old or in the future", d.Round(time.Second))
	}
	nonce := f["nonce"]
	if nonce == "" {
		return errors.New("缺少 nonce / nonce missing")
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.nonces == nil {
		v.nonces = map[string]time.Time{}
	}
	for n, exp := range v.nonces {
		if exp.Before(now) {
			delete(v.nonces, n)
		}
	}
	if _, seen := v.nonces[nonce]; seen {
		return errors.New("nonce 已用过（重放）nonce replayed")
	}
	v.nonces[nonce] = now.Add(2 * Window)
	return nil
}

// RequestString is what a request to paygate signs: method, path (without
// the query), then Canonical of every field sent (query parameters too).
// 发给 paygate 的请求所签的串：请求方法、路径（不含查询串）、再接字段的签名串。
func RequestString(method, path string, f Fields, apiKey string) string {
	return method + "\n" + path + "\n" + Canonical(f, apiKey)
}

// SignRequest adds timestamp, nonce and signature to the body of a request
// to paygate (instead of Bearer): method and path are the request's, e.g.
// "POST" and "/api/orders". Amounts are json.Number, so the text sent is the
// text signed. Endpoints that answer or change a secret (creating a device,
// rotating a key, setting apiKey) take only the Bearer key.
// 给请求体加上 timestamp、nonce、signature；method 和 path 是这个请求的，例如 "POST" 和
// "/api/orders"。金额用 json.Number，发送的文本就是签名的文本。会返回或更换密钥的接口只接受 Bearer。
func SignRequest(method, path string, body map[string]any, apiKey string, now time.Time) (map[string]any, error) {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	// Unix 秒；也可用上海时间 "YYYY-MM-DD HH:mm:ss" / Unix seconds, or Shanghai time
	return signRequestWith(method, path, body, apiKey, strconv.FormatInt(now.Unix(), 10), hex.EncodeToString(nonce[:]))
}

// signRequestWith signs with the given timestamp and nonce (the self-test
// passes the vectors'). 用给定的 timestamp 和 nonce 签名（自检用）。
func signRequestWith(method, path string, body map[string]any, apiKey, timestamp, nonce string) (map[string]any, error) {
	signed := map[string]any{}
	f := Fields{}
	for k, v := range body {
		signed[k] = v
		switch v := v.(type) {
		case nil:
		case string:
			f[k] = v
		case json.Number:
			f[k] = v.String()
		case bool:
			f[k] = strconv.FormatBool(v)
		default:
			return nil, fmt.Errorf("字段 %s 的类型 %T 不能签名 cannot sign a %T", k, v, v)
		}
	}
	f["timestamp"], f["nonce"] = timestamp, nonce
	signed["timestamp"], signed["nonce"] = timestamp, nonce
	m := hmac.New(sha256.New, []byte(apiKey))
	m.Write([]byte(RequestString(method, path, f, apiKey)))
	signed["signature"] = hex.EncodeToString(m.Sum(nil))
	return signed, nil
}
