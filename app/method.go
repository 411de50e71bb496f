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
		if lang == "en" {
			return "Alipay"
		}
		return "支付宝"
	case MethodWechat:
		if lang == "en" {
			return "WeChat Pay"
		}
		return "微信支付"
	}
	if lang == "en" {
		return "unknown"
	}
	return "未知"
}
