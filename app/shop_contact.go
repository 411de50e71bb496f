package app

import "net/url"

// ShopContact is how a payer reaches the shop when something went wrong —
// an expired or closed order, money paid too late, a page that fails — and
// where the shop is: set by the owner in 设置 and shown on those pages, so a
// payer is never left without a next step.
type ShopContact struct {
	Phone   string // a phone number, e.g. 138 0013 8000
	WeChat  string // a WeChat ID (微信号)
	Note    string // anything else, e.g. "工作日 9:00–18:00，QQ 12345"
	HomeURL string // the shop's home page, http(s); the way back when an order has no other
}

// Empty reports whether the owner has given no way to reach the shop.
func (c ShopContact) Empty() bool { return c.Phone == "" && c.WeChat == "" && c.Note == "" }

// TelURL is the phone number as a tel: link, digits and a leading + only.
func (c ShopContact) TelURL() string {
	out := make([]byte, 0, len(c.Phone))
	for i := 0; i < len(c.Phone); i++ {
		ch := c.Phone[i]
		if ch >= '0' && ch <= '9' || ch == '+' && len(out) == 0 {
			out = append(out, ch)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "tel:" + string(out)
}

// ShopHome is the way back to the shop for a payer whose order cannot be
// paid (any more): the home page from the settings, else the scheme and host
// of the order's return URL — never the return URL itself, which is where a
// paid order's payer goes, with an 易支付 order's signed "paid" parameters.
// "" when neither is known.
func ShopHome(c ShopContact, returnURL string) string {
	if c.HomeURL != "" {
		return c.HomeURL
	}
	u, err := url.Parse(returnURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/"
}
