package gateway

import (
	"context"
	"strings"
	"unicode/utf8"

	"paygate/app"
	"paygate/app/store"
)

// Settings returns the merchant settings.
func (g *Gateway) Settings(ctx context.Context) (app.Settings, error) {
	return g.db.Settings(ctx)
}

// ConfigRequest is POST /api/config: nil fields stay as they are.
type ConfigRequest struct {
	APIKey      *string
	CallbackURL *string
	Name        *string
	Description *string
	EpayPID     *string // 易支付 merchant id: 1 to 18 digits
}

// Minimum API key length: long enough not to be guessed, short enough for the guide's test_key_123456.
const minAPIKeyLen = 8

// updateSettings validates and stores merchant settings.
func (g *Gateway) updateSettings(ctx context.Context, req ConfigRequest) error {
	if req.APIKey == nil && req.CallbackURL == nil && req.Name == nil && req.Description == nil && req.EpayPID == nil {
		return app.NewError(app.EINVALID, "",
			"没有要修改的配置：请提供 apiKey、callbackUrl、name、description 或 epayPid 中的至少一项。",
			"Nothing to change: send at least one of apiKey, callbackUrl, name, description, epayPid.")
	}
	var p store.SettingsPatch
	if req.APIKey != nil {
		k := strings.TrimSpace(*req.APIKey)
		if len(k) < minAPIKeyLen || len(k) > 128 || strings.ContainsAny(k, " \t\r\n") {
			return app.NewError(app.EINVALID, "apiKey",
				"API 密钥 apiKey 需要 8 到 128 个字符且不含空白：请用一串难以猜测的随机字符。",
				"apiKey must be 8 to 128 characters without whitespace: use a hard-to-guess random string.")
		}
		p.APIKey = &k
	}
	if req.CallbackURL != nil {
		u, err := app.ParseURL("callbackUrl", *req.CallbackURL)
		if err != nil {
			return err
		}
		p.CallbackURL = &u
	}
	if req.Name != nil {
		n := strings.TrimSpace(*req.Name)
		if utf8.RuneCountInString(n) > 100 {
			return app.NewError(app.EINVALID, "name", "商户名称 name 最多 100 个字符。", "name must be at most 100 characters.")
		}
		p.Name = &n
	}
	if req.Description != nil {
		d := strings.TrimSpace(*req.Description)
		if utf8.RuneCountInString(d) > 500 {
			return app.NewError(app.EINVALID, "description", "商户描述 description 最多 500 个字符。", "description must be at most 500 characters.")
		}
		p.Description = &d
	}
	if req.EpayPID != nil {
		pid := strings.TrimSpace(*req.EpayPID)
		if !validPID(pid) {
			return app.NewError(app.EINVALID, "epayPid",
				"易支付商户ID epayPid 只能是 1 到 18 位数字（收到 "+app.QuoteShort(pid)+"）：例如 1000。",
				"epayPid must be 1 to 18 digits (got "+app.QuoteShort(pid)+"), e.g. 1000.")
		}
		p.EpayPID = &pid
	}
	return g.db.UpdateSettings(ctx, p)
}

// validPID: 易支付 clients treat pid as an integer, so digits only.
func validPID(s string) bool {
	if len(s) == 0 || len(s) > 18 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
