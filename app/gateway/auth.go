package gateway

import (
	"context"
	"strconv"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/sign"
)

// signatureWindow is how far a signed request's timestamp may be from now.
const signatureWindow = 5 * time.Minute

func errNoAPIKeyYet() error {
	return app.NewError(app.EUNAUTHORIZED, "",
		"这个 paygate 还没有设置 API 密钥：请在管理后台的设置页设置，或启动时设置环境变量 PAYGATE_MERCHANT_API_KEY。",
		"This paygate has no API key yet: set one on the admin settings page, or start it with PAYGATE_MERCHANT_API_KEY.")
}

// HasAPIKey reports whether an API key is configured.
func (g *Gateway) HasAPIKey(ctx context.Context) (bool, error) {
	s, err := g.db.Settings(ctx)
	return s.APIKey != "", err
}

// CheckAPIKey accepts the merchant API key (Authorization: Bearer …).
func (g *Gateway) CheckAPIKey(ctx context.Context, key string) error {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return err
	}
	if s.APIKey == "" {
		return errNoAPIKeyYet()
	}
	if key == "" {
		return app.NewError(app.EUNAUTHORIZED, "",
			"缺少 API 密钥：请在请求头加 Authorization: Bearer <API密钥>，或对请求签名（timestamp、nonce、signature，签名串以请求方法和路径开头，见 /docs#auth）。",
			"API key missing: send Authorization: Bearer <api key>, or sign the request (timestamp, nonce, signature over the method, the path and the fields; see /docs#auth).")
	}
	if !sign.Equal(key, s.APIKey) {
		return app.NewError(app.EUNAUTHORIZED, "",
			"API 密钥不正确：请核对管理后台设置页中的 API 密钥。",
			"Wrong API key: check the API key on the admin settings page.")
	}
	return nil
}

// SignedRequest is an API request that carries a signature instead of the
// Bearer key: its method, its URL path without the query, and its fields
// (query and body), among them timestamp, nonce and signature.
type SignedRequest struct {
	Method string
	Path   string
	Fields map[string]string
}

// maxNonceLen bounds what one request may store.
const maxNonceLen = 64

// validNonce: 1–maxNonceLen ASCII letters, digits, '_' or '-'. The signed
// string joins k=v with '&' unescaped (the guide's algorithm), so a nonce
// holding '&' or '=' could swallow the fields after it: a captured request
// re-sent as nonce="<nonce>&notifyUrl=<url>" without notifyUrl signs the
// same string under a nonce never seen.
func validNonce(n string) bool {
	if n == "" || len(n) > maxNonceLen {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ambiguousField finds a field that would let the signed string be cut
// into fields another way, with another nonce or timestamp: a name holding
// '&' or '=', or a value holding "&nonce=" or "&timestamp=". With none, any
// request signing the same string carries the same nonce and timestamp
// (the nonce holds no '&'), so the nonce store refuses every re-cut.
// Values may hold '&' and '=' otherwise (a notifyUrl with a query).
func ambiguousField(fields map[string]string) error {
	for k, v := range fields {
		if k == "signature" || k == "api_key" || v == "" {
			continue // not in the signed string
		}
		if strings.ContainsAny(k, "&=") {
			return app.NewError(app.EUNAUTHORIZED, app.Clip(k, 64),
				"签名请求的字段名不能含有 & 或 =（收到 "+app.QuoteShort(k)+"）：签名串用 & 连接各个 k=v，这样的名字会让签名串能被读成另一组字段。请只用字母、数字等普通字段名。",
				"A signed request's field names may not contain & or = (got "+app.QuoteShort(k)+"): the signed string joins k=v with &, and such a name lets it be read as other fields. Use plain field names.")
		}
		for _, cut := range []string{"&nonce=", "&timestamp="} {
			if strings.Contains(v, cut) {
				return app.NewError(app.EUNAUTHORIZED, app.Clip(k, 64),
					"签名请求里字段 "+app.Clip(k, 64)+" 的值不能含有 “"+cut+"”：签名串用 & 连接各个 k=v，这样的值能把签名串读成另一个 nonce 或 timestamp，用来重放请求。请在网址或文字里换一个参数名，或改用请求头 Authorization: Bearer <API密钥>。",
					"In a signed request the value of "+app.Clip(k, 64)+" may not contain \""+cut+"\": the signed string joins k=v with &, and such a value lets it be read with another nonce or timestamp, replaying the request. Use another parameter name in the URL or text, or send Authorization: Bearer <api key> instead.")
			}
		}
	}
	return nil
}

// CheckSignedRequest accepts a request signed as DESIGN (Merchant API) says:
// HMAC-SHA256 over METHOD, PATH and the guide's canonical string of its
// fields, a timestamp within signatureWindow and a nonce never used before.
// Nonces are kept in the database, so a restart does not forget them.
func (g *Gateway) CheckSignedRequest(ctx context.Context, r SignedRequest) error {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return err
	}
	if s.APIKey == "" {
		return errNoAPIKeyYet()
	}
	ts, nonce := strings.TrimSpace(r.Fields["timestamp"]), strings.TrimSpace(r.Fields["nonce"])
	if ts == "" || nonce == "" {
		return app.NewError(app.EUNAUTHORIZED, "signature",
			"签名请求需要 timestamp 和 nonce 字段：timestamp 用上海时间 YYYY-MM-DD HH:mm:ss 或 Unix 秒，nonce 每次不同。",
			"A signed request needs timestamp and nonce: timestamp as Shanghai time YYYY-MM-DD HH:mm:ss or Unix seconds, nonce different every time.")
	}
	if !validNonce(r.Fields["nonce"]) {
		return app.NewError(app.EUNAUTHORIZED, "nonce",
			"nonce 只能由 1–64 个英文字母、数字、下划线 _ 或连字符 - 组成（收到 "+app.QuoteShort(r.Fields["nonce"])+"），例如 16 字节随机数的十六进制：签名串用 & 和 = 连接各个字段，nonce 里的其他字符会让它有歧义。",
			"The nonce must be 1–64 ASCII letters, digits, _ or - (got "+app.QuoteShort(r.Fields["nonce"])+"), e.g. 16 random bytes in hex: the signed string joins the fields with & and =, and other characters in the nonce would make it ambiguous.")
	}
	if err := ambiguousField(r.Fields); err != nil {
		return err
	}
	now := g.db.Now()
	t, ok := parseRequestTime(ts)
	if !ok || t.Sub(now).Abs() > signatureWindow {
		return app.NewError(app.EUNAUTHORIZED, "timestamp",
			"签名时间戳 timestamp 无效或与服务器时间相差超过 5 分钟：请校准时钟并使用当前时间。",
			"timestamp is invalid or more than 5 minutes from the server's time: sync your clock and use the current time.")
	}
	if !sign.VerifyRequest(r.Method, r.Path, r.Fields, s.APIKey, r.Fields["signature"]) {
		return app.NewError(app.EUNAUTHORIZED, "signature",
			"签名 signature 不正确：签名串是 请求方法 + 换行 + 路径（不含 ? 后的查询串）+ 换行 + 排序后的参数（含查询参数和 api_key，k=v 用 & 连接），例如 \""+r.Method+"\\n"+r.Path+"\\namount=0.01&api_key=…\"，用 API 密钥做 HMAC-SHA256，小写十六进制。",
			"Wrong signature: sign the method, a newline, the path (without the query), a newline, then the sorted fields (query parameters too, with api_key, k=v joined with &), e.g. \""+r.Method+"\\n"+r.Path+"\\namount=0.01&api_key=…\", HMAC-SHA256 keyed by the API key, lowercase hex.")
	}
	// A nonce is remembered until its timestamp can no longer pass: at most
	// signatureWindow ahead of now, valid signatureWindow after that.
	fresh, err := g.db.UseRequestNonce(ctx, nonce, now.Add(2*signatureWindow))
	if err != nil {
		return err
	}
	if !fresh {
		return app.NewError(app.EUNAUTHORIZED, "nonce",
			"nonce 已经用过：每个签名请求都要用新的随机 nonce。",
			"This nonce was used already: every signed request needs a new random nonce.")
	}
	return nil
}

// parseRequestTime reads Unix seconds, Unix milliseconds or Shanghai "2006-01-02 15:04:05".
func parseRequestTime(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1e12 {
			return time.UnixMilli(n), true
		}
		return time.Unix(n, 0), true
	}
	t, err := time.ParseInLocation(app.TimeLayout, s, app.Shanghai)
	return t, err == nil
}
