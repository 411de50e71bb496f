package app

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"paygate/app/money"
)

// Reading what a merchant sends, the same way for the REST API, payment
// links, the settings and the 易支付 endpoints.

// Limits on the free-text fields of an order.
const (
	MaxProductNameRunes = 50
	MaxMerchantOrderID  = 64
	MaxAttachBytes      = 1024
	MaxURLBytes         = 1024
)

// ParseAmount reads an amount in yuan and checks it is within minA..maxA;
// the error names field and says what to send instead.
func ParseAmount(field, text string, present bool, minA, maxA money.Fen) (money.Fen, error) {
	rangeZh := fmt.Sprintf("%s 到 %s 元", minA.String(), maxA.String())
	rangeEn := fmt.Sprintf("%s to %s yuan", minA.String(), maxA.String())
	if !present || strings.TrimSpace(text) == "" {
		return 0, NewError(EINVALID, field,
			"缺少金额 "+field+"：请填写 "+rangeZh+" 之间的金额，例如 0.01。",
			field+" is missing: give an amount of "+rangeEn+", e.g. 0.01.")
	}
	f, err := money.ParseYuan(text)
	shown := Clip(text, 20)
	switch {
	case errors.Is(err, money.ErrTooPrecise):
		return 0, NewError(EINVALID, field,
			"金额 "+field+" 最多两位小数（精确到分），收到的是 "+shown+"：例如 0.01。",
			field+" may have at most 2 decimal places (fen), got "+shown+": e.g. 0.01.")
	case errors.Is(err, money.ErrNegative):
		return 0, NewError(EINVALID, field,
			"金额 "+field+" 不能是负数（收到 "+shown+"）：请填写 "+rangeZh+" 之间的金额。",
			field+" must not be negative (got "+shown+"): give an amount of "+rangeEn+".")
	case errors.Is(err, money.ErrOutOfRange):
		return 0, NewError(EINVALID, field,
			"金额 "+field+" 太大（收到 "+shown+"）：最多 "+maxA.String()+" 元。",
			field+" is too large (got "+shown+"): at most "+maxA.String()+" yuan.")
	case err != nil:
		return 0, NewError(EINVALID, field,
			"金额 "+field+" 必须是以元为单位的数字，例如 12.5（收到 "+shown+"）。",
			field+" must be a number of yuan such as 12.5 (got "+shown+").")
	case f < minA:
		return 0, NewError(EINVALID, field,
			"金额 "+field+" 不能小于 "+minA.String()+" 元（收到 "+shown+"）。",
			field+" must be at least "+minA.String()+" yuan (got "+shown+").")
	case f > maxA:
		return 0, NewError(EINVALID, field,
			"金额 "+field+" 不能大于 "+maxA.String()+" 元（收到 "+shown+"）。",
			field+" must be at most "+maxA.String()+" yuan (got "+shown+").")
	}
	return f, nil
}

// ParseURL reads an optional callback or return URL: empty, or a full http(s)
// URL of at most MaxURLBytes, its port (if it names one) 1–65535. The
// error names field.
func ParseURL(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || len(s) > MaxURLBytes || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", NewError(EINVALID, field,
			field+" 必须是以 http:// 或 https:// 开头的完整网址，例如 https://shop.example.com/paid。",
			field+" must be a full URL starting with http:// or https://, e.g. https://shop.example.com/paid.")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return "", NewError(EINVALID, field,
				field+" 的端口 "+Clip(p, 20)+" 不存在：端口是 1 到 65535 之间的数字，例如 https://shop.example.com:8443/paid；用默认端口（80 或 443）时不写端口。",
				"The port "+Clip(p, 20)+" in "+field+" does not exist: a port is a number from 1 to 65535, e.g. https://shop.example.com:8443/paid; leave it out for the default (80 or 443).")
		}
	}
	return s, nil
}
