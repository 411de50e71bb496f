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
}

// Minimum API key length: long enough not to be guessed, short enough for the guide's test_key_123456.
const MinAPIKeyLen = 8

// UpdateSettings validates and stores merchant settings.
func (g *Gateway) UpdateSettings(ctx context.Context, req ConfigRequest) error {
	if req.APIKey == nil && req.CallbackURL == nil && req.Name == nil && req.Description == nil {
		return app.Errorf(app.EINVALID, "",
			"没有要修改的配置：请提供 apiKey、callbackUrl、name 或 description 中的至少一项。",
			"Nothing to change: send at least one of apiKey, callbackUrl, name, description.")
	}
	var p store.SettingsPatch
	if req.APIKey != nil {
		k := strings.TrimSpace(*req.APIKey)
		if len(k) < MinAPIKeyLen || len(k) > 128 || strings.ContainsAny(k, " \t\r\n") {
			return app.Errorf(app.EINVALID, "apiKey",
				"API 密钥 apiKey 需要 8 到 128 个字符且不含空白：请用一串难以猜测的随机字符。",
				"apiKey must be 8 to 128 characters without whitespace: use a hard-to-guess random string.")
		}
		p.APIKey = &k
	}
	if req.CallbackURL != nil {
		u, err := validURL("callbackUrl", *req.CallbackURL)
		if err != nil {
			return err
		}
		p.CallbackURL = &u
	}
	if req.Name != nil {
		n := strings.TrimSpace(*req.Name)
		if utf8.RuneCountInString(n) > 100 {
			return app.Errorf(app.EINVALID, "name", "商户名称 name 最多 100 个字符。", "name must be at most 100 characters.")
		}
		p.Name = &n
	}
	if req.Description != nil {
		d := strings.TrimSpace(*req.Description)
		if utf8.RuneCountInString(d) > 500 {
			return app.Errorf(app.EINVALID, "description", "商户描述 description 最多 500 个字符。", "description must be at most 500 characters.")
		}
		p.Description = &d
	}
	return g.db.UpdateSettings(ctx, p)
}
