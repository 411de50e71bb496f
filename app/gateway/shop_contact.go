package gateway

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"paygate/app"
)

// The shop's contact (issue #14 "no dead ends"): the owner sets it in 设置,
// and every payer page that cannot go on — expired, closed, no 收款码, an
// error — shows it, with the way back to the shop.

// Settings keys of the shop's contact.
const (
	keyContactPhone  = "shop.contact_phone"
	keyContactWeChat = "shop.contact_wechat"
	keyContactNote   = "shop.contact_note"
	keyHomeURL       = "shop.home_url"
)

// Limits of the contact fields.
const (
	maxContactPhone  = 30
	maxContactWeChat = 40
	maxContactNote   = 200 // characters
)

// ShopContact is how payers reach the shop, as the owner set it.
func (g *Gateway) ShopContact(ctx context.Context) (app.ShopContact, error) {
	v, err := g.db.SettingValues(ctx, "shop.")
	if err != nil {
		return app.ShopContact{}, err
	}
	return app.ShopContact{Phone: v[keyContactPhone], WeChat: v[keyContactWeChat], Note: v[keyContactNote], HomeURL: v[keyHomeURL]}, nil
}

// UpdateShopContact checks and stores the shop's contact; by is who asked,
// recorded in the audit log. Every field may be empty.
func (g *Gateway) UpdateShopContact(ctx context.Context, c app.ShopContact, by string) (app.ShopContact, error) {
	c.Phone, c.WeChat, c.Note, c.HomeURL = strings.TrimSpace(c.Phone), strings.TrimSpace(c.WeChat), strings.TrimSpace(c.Note), strings.TrimSpace(c.HomeURL)
	if len(c.Phone) > maxContactPhone || strings.Trim(c.Phone, "0123456789+-() ") != "" {
		return c, app.NewError(app.EINVALID, "contactPhone",
			"电话只能写数字、空格、+、- 和括号，最多 30 个字符，例如 138 0013 8000 或 0571-88888888。",
			"The phone number may have digits, spaces, +, - and brackets only, at most 30 characters, e.g. 138 0013 8000.")
	}
	if len(c.WeChat) > maxContactWeChat || strings.IndexFunc(c.WeChat, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return c, app.NewError(app.EINVALID, "contactWechat",
			"微信号只能由英文字母、数字和符号组成（不含空格和中文），最多 40 个字符。",
			"The WeChat ID may have letters, digits and symbols only (no spaces), at most 40 characters.")
	}
	if n := utf8.RuneCountInString(c.Note); n > maxContactNote || strings.IndexFunc(c.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0 {
		return c, app.NewError(app.EINVALID, "contactNote",
			"其他联系方式最多 200 个字，只能是普通文字。", "Other ways to reach you: at most 200 characters of plain text.")
	}
	u, err := app.ParseURL("homeUrl", c.HomeURL)
	if err != nil {
		return c, app.NewError(app.EINVALID, "homeUrl",
			"商城首页要写完整的网址，以 http:// 或 https:// 开头，例如 https://shop.example.com/。",
			"The shop's home page must be a full address starting with http:// or https://, e.g. https://shop.example.com/.")
	}
	c.HomeURL = u
	if err := g.db.PutSettings(ctx, map[string]string{
		keyContactPhone: c.Phone, keyContactWeChat: c.WeChat, keyContactNote: c.Note, keyHomeURL: c.HomeURL,
	}); err != nil {
		return c, err
	}
	return c, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditSettings, Detail: "shopContact"})
}
