package app

import (
	"fmt"
	"strings"
	"time"
)

// The payer's choices on the checkout page: an order created without a
// method (the REST API without paymentMethod, 易支付 without type) gets one
// when its payer picks 支付宝 or 微信, and a pending order may switch to the
// other method. Either takes a free amount slot in the chosen method then;
// a switch leaves the old slot cooling like any released slot.

// MaxMethodSwitches bounds how often one order may leave a method for
// another. Every switch leaves a slot cooling for the match grace period, so
// an order flipped back and forth without end could tie up a price's
// amounts; a payer who changes their mind does so once or twice.
const MaxMethodSwitches = 6

// CheckMethodChoice says why the payer of o may not pay it by m now, nil
// when they may: o must still be payable, m one of offered (the methods the
// shop has a 收款码 for, within a payment link's methods), and o must not
// have switched switches ≥ MaxMethodSwitches times already. Choosing the
// method o already has is always fine.
func CheckMethodChoice(o Order, m Method, offered []Method, switches int, now time.Time) error {
	if !m.Valid() {
		return NewError(EINVALID, "method", "请选择支付方式：支付宝或微信。", "Choose how to pay: Alipay or WeChat Pay.")
	}
	if o.Status != OrderPending || !now.Before(o.ExpiresAt) {
		return NewError(ECONFLICT, "method",
			"这笔订单已经不是待支付状态（已支付、已过期或已关闭），不能再选择支付方式。",
			"This order is no longer waiting for payment (paid, expired or closed): its method cannot be chosen any more.")
	}
	if m == o.Method {
		return nil
	}
	if !methodIn(m, offered) {
		return NewError(EINVALID, "method",
			"商家没有开通"+m.Label("zh")+"收款：请选择其他支付方式，或联系商家。",
			"The shop does not take "+m.Label("en")+": choose another way to pay, or contact the shop.")
	}
	if o.MethodChosen() && switches >= MaxMethodSwitches {
		return NewError(ECONFLICT, "method",
			fmt.Sprintf("这笔订单已经更换过 %d 次支付方式，不能再换：请用现在的方式付款；如果付不了，请联系商家。", switches),
			fmt.Sprintf("This order has changed its method %d times and cannot change again: pay the way it shows now; if you cannot, contact the shop.", switches))
	}
	return nil
}

func methodIn(m Method, ms []Method) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// Reopenable reports whether o, sent again with its merchant order number
// at now, is reopened — the same order id with a fresh amount slot and
// lifetime — instead of being answered as expired: o expired unpaid (not
// closed by anyone) no longer than within ago. 彩虹易支付 keeps an order
// payable for days; a shop's "pay again" button re-sends the same number.
func Reopenable(o Order, now time.Time, within time.Duration) bool {
	if within <= 0 || o.PaymentID != "" {
		return false
	}
	expired := o.Status == OrderExpired || (o.Status == OrderPending && !now.Before(o.ExpiresAt))
	return expired && now.Sub(o.ExpiresAt) <= within
}

// EpayType is the 易支付 type of method m for an order whose client wrote
// sent: sent itself when it names m (a client that wrote "wechat" reads
// "wechat" back), else the type 彩虹易支付 uses for m (alipay, wxpay); "" for
// no method.
func EpayType(m Method, sent string) string {
	switch {
	case m == "":
		return ""
	case EpayTypeMethod(sent) == m:
		return sent
	case m == MethodWechat:
		return "wxpay"
	}
	return "alipay"
}

// EpayTypeMethod is the method an 易支付 type names: alipay; wxpay (and
// wechat) → wechat; "" for any other, in any case.
func EpayTypeMethod(typ string) Method {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "alipay":
		return MethodAlipay
	case "wxpay", "wechat":
		return MethodWechat
	}
	return ""
}
