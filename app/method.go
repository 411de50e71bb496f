package app

// Method is a payment method a 收款码 belongs to.
type Method string

const (
	MethodAlipay Method = "alipay"
	MethodWechat Method = "wechat"
)

// Valid reports whether m is a method paygate handles.
func (m Method) Valid() bool { return m == MethodAlipay || m == MethodWechat }

// Label is the method's name for people.
func (m Method) Label(lang string) string {
	switch m {
	case MethodAlipay:
		return pick(lang, "支付宝", "Alipay")
	case MethodWechat:
		return pick(lang, "微信支付", "WeChat Pay")
	}
	return pick(lang, "未知", "unknown")
}
