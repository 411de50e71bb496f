package gateway

import (
	"context"
	"strconv"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/sign"
)

// SignatureWindow is how far a signed request's timestamp may be from now.
const SignatureWindow = 5 * time.Minute

func errNoAPIKeyYet() error {
	return app.Errorf(app.EUNAUTHORIZED, "",
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
		return app.Errorf(app.EUNAUTHORIZED, "",
			"缺少 API 密钥：请在请求头加 Authorization: Bearer <API密钥>，或按接入指南对请求参数签名（timestamp、nonce、signature）。",
			"API key missing: send Authorization: Bearer <api key>, or sign the request fields as the guide describes (timestamp, nonce, signature).")
	}
	if !sign.Equal(key, s.APIKey) {
		return app.Errorf(app.EUNAUTHORIZED, "",
			"API 密钥不正确：请核对管理后台设置页中的 API 密钥。",
			"Wrong API key: check the API key on the admin settings page.")
	}
	return nil
}

// CheckSignedRequest accepts a request whose fields carry the guide's HMAC
// signature plus a fresh timestamp and an unused nonce.
func (g *Gateway) CheckSignedRequest(ctx context.Context, fields map[string]string) error {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return err
	}
	if s.APIKey == "" {
		return errNoAPIKeyYet()
	}
	ts, nonce := strings.TrimSpace(fields["timestamp"]), strings.TrimSpace(fields["nonce"])
	if ts == "" || nonce == "" {
		return app.Errorf(app.EUNAUTHORIZED, "signature",
			"签名请求需要 timestamp 和 nonce 字段：timestamp 用上海时间 YYYY-MM-DD HH:mm:ss 或 Unix 秒，nonce 每次不同。",
			"A signed request needs timestamp and nonce: timestamp as Shanghai time YYYY-MM-DD HH:mm:ss or Unix seconds, nonce different every time.")
	}
	now := g.db.Now()
	t, ok := parseRequestTime(ts)
	if !ok || t.Sub(now).Abs() > SignatureWindow {
		return app.Errorf(app.EUNAUTHORIZED, "timestamp",
			"签名时间戳 timestamp 无效或与服务器时间相差超过 5 分钟：请校准时钟并使用当前时间。",
			"timestamp is invalid or more than 5 minutes from the server's time: sync your clock and use the current time.")
	}
	if !sign.Verify(fields, s.APIKey, fields["signature"]) {
		return app.Errorf(app.EUNAUTHORIZED, "signature",
			"签名 signature 不正确：请按接入指南拼接排序后的参数（含 api_key）并用 HMAC-SHA256 计算小写十六进制。",
			"Wrong signature: join the sorted fields (with api_key) as the guide shows and compute HMAC-SHA256 in lowercase hex.")
	}
	if !g.nonces.use(nonce, now, 2*SignatureWindow) {
		return app.Errorf(app.EUNAUTHORIZED, "nonce",
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
