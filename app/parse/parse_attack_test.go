package parse

import "testing"

// Notifications a payer can make the shop's phone show without paying. Each
// was read as a payment before (red-team review, 2026-12-02).
func TestParseAttacks(t *testing.T) {
	runParseCases(t, []parseCase{
		// WeChat forwards chats under the same package as WeChat Pay: a
		// customer who types a receipt into a chat must not pay an order.
		{name: "wechat chat typed like a receipt", source: "attack: chat message",
			in: Input{wechatPkg, "张三", "微信支付收款88.00元(朋友到店)"}, kind: KindIgnored, reason: ReasonChat, method: MethodWechat},
		{name: "wechat chat, several messages", source: "attack: chat message",
			in: Input{wechatPkg, "张三", "[2条]微信支付收款88.00元"}, kind: KindIgnored, reason: ReasonChat, method: MethodWechat},
		{name: "wechat group chat", source: "attack: group chat message",
			in: Input{wechatPkg, "店铺交流群", "李四: 微信支付收款100.00元"}, kind: KindIgnored, reason: ReasonChat, method: MethodWechat},
		{name: "wechat group chat, several messages", source: "attack: group chat message",
			in: Input{wechatPkg, "店铺交流群", "[3条]李四: 微信支付收款100.00元"}, kind: KindIgnored, reason: ReasonChat, method: MethodWechat},
		{name: "wechat group named like WeChat Pay", source: "attack: group chat named 微信支付",
			in: Input{wechatPkg, "微信支付", "李四: 微信支付收款100.00元"}, kind: KindIgnored, reason: ReasonChat, method: MethodWechat},
		{name: "wechat aggregate title, a person's label", source: "attack: chat under WeChat's own title",
			in: Input{wechatPkg, "微信", "张三: 微信支付收款3.50元"}, kind: KindIgnored, reason: ReasonChat, method: MethodWechat},
		{name: "wechat chat in SmsForwarder's default form", source: "attack: chat rendered by SmsForwarder's default template",
			in: Input{Package: wechatPkg, Text: "com.tencent.mm\n微信支付收款66.00元(朋友到店)\n张三\nUID：10234\n2026-12-02 10:00:00"}, kind: KindIgnored, reason: ReasonChat, method: MethodWechat},
		{name: "alipay chat typed like a receipt", source: "attack: Alipay friend's message",
			in: Input{alipayPkg, "张三", "成功收款0.01元"}, kind: KindIgnored, reason: ReasonChat, method: MethodAlipay},

		// The payer's name (or remark) stands inside a real receipt: a
		// second amount there must make it ambiguous, whatever words
		// surround it, never replace the real one.
		{name: "payer name vetoes the real amount", source: "attack: Alipay name 到账50元、退款 in 通过扫码向你付款",
			in: Input{alipayPkg, "收款通知", "到账50元、退款通过扫码向你付款0.01元"}, kind: KindIgnored, reason: ReasonAmbiguous, method: MethodAlipay},
		{name: "payer name with 还款", source: "attack: Alipay name 到账140元~还款",
			in: Input{alipayPkg, "收款通知", "到账140元~还款X通过扫码向你付款0.01元"}, kind: KindIgnored, reason: ReasonAmbiguous, method: MethodAlipay},
		{name: "remark with 退款 before the real receipt", source: "attack: remark 成功收款140.00元，退款",
			in: Input{Text: "张三 备注：成功收款140.00元，退款 你已成功收款0.01元"}, kind: KindIgnored, reason: ReasonAmbiguous},
		{name: "payer name with a keyword amount over a ¥ receipt", source: "attack: name 张三到账100元 in the 'name ¥amount' receipt",
			in: Input{alipayPkg, "收款通知", "张三到账100元 ¥0.01"}, kind: KindIgnored, reason: ReasonAmbiguous, method: MethodAlipay},
	})
}

// The senders that stay payments: WeChat Pay's own accounts, grouped or not,
// in both apps' real titles.
func TestParsePaymentSenders(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "wechat pay", source: "corpus wechat", in: Input{wechatPkg, "微信支付", "微信支付收款0.01元(朋友到店)"}, kind: KindPayment, amount: "0.01", method: MethodWechat},
		{name: "wechat pay grouped", source: "corpus wechat", in: Input{wechatPkg, "微信支付", "[4条]微信支付: 微信支付收款1.01元(朋友到店)"}, kind: KindPayment, amount: "1.01", method: MethodWechat},
		{name: "wechat aggregate title", source: "corpus wechat", in: Input{wechatPkg, "微信", "微信支付: 微信支付收款3.50元(新顾客到店)"}, kind: KindPayment, amount: "3.50", method: MethodWechat, ctype: "新客户"},
		{name: "wechat receipt assistant", source: "corpus wechat", in: Input{wechatPkg, "微信收款助手", "[8条]微信收款助手: 微信支付收款0.01元(朋友到店)"}, kind: KindPayment, amount: "0.01", method: MethodWechat},
		{name: "wechat business receipts", source: "research: 微信收款商业版", in: Input{wechatPkg, "微信收款商业版", "收款到账¥12.30"}, kind: KindPayment, amount: "12.30", method: MethodWechat},
		{name: "wechat english", source: "edge: WeChat in English", in: Input{wechatPkg, "WeChat Pay", "微信支付收款2.00元"}, kind: KindPayment, amount: "2.00", method: MethodWechat},
		{name: "wechat without a title", source: "edge: forwarder sends no title", in: Input{wechatPkg, "", "微信支付收款2.00元"}, kind: KindPayment, amount: "2.00", method: MethodWechat},
		{name: "wechat amount field label", source: "edge: a field label is no sender", in: Input{wechatPkg, "微信支付", "收款金额:12.30元"}, kind: KindPayment, amount: "12.30", method: MethodWechat},
		{name: "alipay receipt title", source: "corpus alipay", in: Input{alipayPkg, "收款通知", "X通过扫码向你付款0.01元"}, kind: KindPayment, amount: "0.01", method: MethodAlipay},
		{name: "alipay amount in title", source: "corpus alipay", in: Input{alipayPkg, "你已成功收款5.00元", "已转入余额 100积分兑收钱音箱，去兑换>>"}, kind: KindPayment, amount: "5.00", method: MethodAlipay},
		{name: "alipay staff", source: "corpus alipay", in: Input{alipayPkg, "支付宝通知", "支付宝成功收款1.00元。"}, kind: KindPayment, amount: "1.00", method: MethodAlipay},
	})
}
