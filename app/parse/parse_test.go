package parse

import (
	"strings"
	"testing"
	"time"

	"paygate/app/money"
)

const (
	alipayPkg = "com.eg.android.AlipayGphone"
	wechatPkg = "com.tencent.mm"
	weworkPkg = "com.tencent.wework"
)

type parseCase struct {
	name   string
	source string // where the wording comes from: "research: …" for real texts found in public code/issues, "edge" for constructed ones
	in     Input
	kind   Kind
	amount string // yuan, for payments
	method Method
	ctype  string
	reason string // for ignored
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Parse(c.in)
			if got.Kind != c.kind {
				t.Fatalf("Parse(%+v) kind = %q (reason %q, amount %v), want %q [%s]", c.in, got.Kind, got.Reason, got.Amount, c.kind, c.source)
			}
			if c.kind == KindPayment {
				want, err := money.ParseYuan(c.amount)
				if err != nil {
					t.Fatalf("bad test amount %q", c.amount)
				}
				if got.Amount != want {
					t.Errorf("amount = %d fen, want %d fen [%s]", got.Amount, want, c.source)
				}
				if got.Reason != "" || got.ReasonZh != "" {
					t.Errorf("payment with reason %q/%q", got.Reason, got.ReasonZh)
				}
			} else {
				if got.Amount != 0 {
					t.Errorf("ignored with amount %d", got.Amount)
				}
				if got.Reason != c.reason {
					t.Errorf("reason = %q, want %q [%s]", got.Reason, c.reason, c.source)
				}
				if got.ReasonZh == "" || got.ReasonZh == got.Reason {
					t.Errorf("ReasonZh = %q: want Chinese text", got.ReasonZh)
				}
			}
			if got.Method != c.method {
				t.Errorf("method = %q, want %q [%s]", got.Method, c.method, c.source)
			}
			if got.CustomerType != c.ctype {
				t.Errorf("customerType = %q, want %q", got.CustomerType, c.ctype)
			}
		})
	}
}

// Incoming payments in wordings found in public monitors, parsers and issue
// threads, plus the merchant guide's own test message.
func TestParseIncoming(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "guide test message", source: "spec/merchant-guide.zh.md 3.2",
			in: Input{Text: "收到转账0.01元(支付宝)"}, kind: KindPayment, amount: "0.01", method: MethodAlipay},
		{name: "guide test message full-width", source: "edge",
			in: Input{Text: "收到转账０．０１元（支付宝）"}, kind: KindPayment, amount: "0.01", method: MethodAlipay},
		{name: "guide test message wechat", source: "edge",
			in: Input{Text: "收到转账12.00元（微信）"}, kind: KindPayment, amount: "12", method: MethodWechat},
		{name: "alipay scan title, check today's total text", source: "research: c-kzxvldkhX/receiptnotice issue 102",
			in: Input{alipayPkg, "你已成功收款1.00元", "立即查看今日收款金额>>"}, kind: KindPayment, amount: "1", method: MethodAlipay},
		{name: "alipay amount in title, marketing number before 收款 in text", source: "research: zhutianci/beiguo-shop scripts/check-amount-parse.ts ②",
			in: Input{alipayPkg, "你已成功收款1430.00元（老顾客消费）", "已转入余额 可兑1000收款免费额度>>"}, kind: KindPayment, amount: "1430", method: MethodAlipay, ctype: "老顾客"},
		{name: "alipay concatenated fields, same amount twice", source: "research: zhutianci/beiguo-shop ③",
			in: Input{Text: "你已成功收款1430.00元（老顾客消费） 支付宝 已转入余额 可兑1000收款免费额度>> 你已成功收款1430.00元"}, kind: KindPayment, amount: "1430", method: MethodAlipay, ctype: "老顾客"},
		{name: "alipay real SmsForwarder body on one line", source: "research: zhutianci/beiguo-shop ⑩ (2026-06-08 production sample)",
			in:   Input{Text: "com.eg.android.AlipayGphone 已转入余额 收钱1笔兑2包纸巾>> 你已成功收款800.00元（老顾客消费） UID：10219 2026-06-08 11:53:44 已转入余额 收钱1笔兑2包纸巾>> com.eg.android.AlipayGphone"},
			kind: KindPayment, amount: "800", method: MethodAlipay, ctype: "老顾客"},
		{name: "alipay thousands separator", source: "research: zhutianci/beiguo-shop ⑧",
			in: Input{alipayPkg, "你已成功收款1,430.00元", ""}, kind: KindPayment, amount: "1430", method: MethodAlipay},
		{name: "alipay same amount written twice", source: "research: zhutianci/beiguo-shop ⑪",
			in: Input{Text: "你已成功收款1430元 你已成功收款1430.00元"}, kind: KindPayment, amount: "1430"},
		{name: "alipay staff account (店员通)", source: "research: touchear/xarr-pay-plugins jk_alipay rule; receiptnotice issue 90",
			in: Input{alipayPkg, "店员通", "你已成功收款2.00元"}, kind: KindPayment, amount: "2", method: MethodAlipay},
		{name: "alipay staff with ¥ and spaces", source: "research: public Flutter test AlipayPaymentWatchService",
			in: Input{Text: "店员通 支付宝成功收款 ￥3.00 元"}, kind: KindPayment, amount: "3", method: MethodAlipay},
		{name: "alipay staff integer", source: "research: public Flutter test AlipayPaymentWatchService",
			in: Input{alipayPkg, "支付宝通知", "支付宝成功收款3元，点击查看。"}, kind: KindPayment, amount: "3", method: MethodAlipay},
		{name: "alipay transfer via assistant, amount first", source: "research: gtsigner/wework-hook-example (支付助手 homePageTitle)",
			in: Input{alipayPkg, "支付助手", "￥0.01 收到一笔转账"}, kind: KindPayment, amount: "0.01", method: MethodAlipay},
		{name: "wechat staff message", source: "research: touchear/xarr-pay-plugins jk_wechat rule",
			in: Input{wechatPkg, "微信收款助手", "[店员消息]收款到账0.01元"}, kind: KindPayment, amount: "0.01", method: MethodWechat},
		// 企业微信 对外收款 settles into WeChat Pay: the V免签 fork's rule (hulisang/vmqApk 2ddd715, e56a800),
		// texts built from it (no public source shows a literal one).
		{name: "wework 对外收款 receipt", source: "research-15 §4: hulisang/vmqApk rule",
			in: Input{weworkPkg, "对外收款", "成功收款 12.34元"}, kind: KindPayment, amount: "12.34", method: MethodWechat},
		{name: "wework receipt titled 企业微信", source: "research-15 §4: hulisang/vmqApk rule (收款通知, 2022-12-22)",
			in: Input{weworkPkg, "企业微信", "收款通知：收款0.01元"}, kind: KindPayment, amount: "0.01", method: MethodWechat},
		{name: "wework receipt, large amount", source: "research-15 §4: hulisang/vmqApk 9987e9c (大额匹配)",
			in: Input{weworkPkg, "对外收款", "成功收款1,234.50元"}, kind: KindPayment, amount: "1234.5", method: MethodWechat},
		{name: "wework chat that talks about money", source: "research-15 §4: only the receipt rule makes 企业微信 a payment",
			in: Input{weworkPkg, "张三", "微信支付收款10元，麻烦确认"}, kind: KindIgnored, reason: ReasonWeworkChat},
		{name: "wework chat in a group titled 对外收款", source: "research-15 §4: the text must say 成功收款 or 收款通知",
			in: Input{weworkPkg, "对外收款", "客户已付款，收款10元"}, kind: KindIgnored, reason: ReasonWeworkChat},
		{name: "wechat business edition", source: "research: touchear/xarr-pay-plugins jk_wechat (经营码)",
			in: Input{wechatPkg, "收款通知", "微信收款商业版: 收款12.50元"}, kind: KindPayment, amount: "12.5", method: MethodWechat},
		{name: "wechat business edition title", source: "research: touchear/xarr-pay-plugins jk_wechat",
			in: Input{wechatPkg, "微信收款商业版", "收款88元"}, kind: KindPayment, amount: "88", method: MethodWechat},
		{name: "wechat payment order (收款单)", source: "research: touchear/xarr-pay-plugins jk_wechat",
			in: Input{wechatPkg, "微信收款助手", "收款单到账5.00元"}, kind: KindPayment, amount: "5", method: MethodWechat},
		{name: "wechat 收款到账 integer", source: "research: AutoAccountingOrg/AutoRule src/rule/notice/微信收款到账.js",
			in: Input{wechatPkg, "微信支付", "收款到账2元"}, kind: KindPayment, amount: "2", method: MethodWechat},
		{name: "wechat grouped 3条", source: "research: c-kzxvldkhX/receiptnotice issue 3 log",
			in: Input{wechatPkg, "微信支付", "[3条]微信支付: 微信支付收款1.17元(朋友到店)"}, kind: KindPayment, amount: "1.17", method: MethodWechat},
		{name: "wechat new customer 到店", source: "research: touchear/xarr-pay-plugins ([新老]顾客到店)",
			in: Input{wechatPkg, "微信收款助手", "[2条]微信收款助手: 微信支付收款6.60元(新顾客到店)"}, kind: KindPayment, amount: "6.6", method: MethodWechat, ctype: "新客户"},
		{name: "wechat without package, method from words", source: "research: Oyoungfighting/PayDocService",
			in: Input{Title: "微信支付", Text: "微信支付收款0.01元(朋友到店)"}, kind: KindPayment, amount: "0.01", method: MethodWechat},
		{name: "wechat service notification subtitle", source: "research: public WeChat session list capture (服务通知)",
			in: Input{wechatPkg, "服务通知", "微信收款助手：微信支付收款30.00元"}, kind: KindPayment, amount: "30", method: MethodWechat},
		{name: "wechat business amount line", source: "research: public WeChat receipt watcher (收款金额￥)",
			in: Input{wechatPkg, "微信收款商业版", "收款金额 ￥12.30"}, kind: KindPayment, amount: "12.3", method: MethodWechat},
		{name: "wechat tip code bare decimal", source: "research: public PHP vmq callback comment 二维码赞赏到账0.03",
			in: Input{wechatPkg, "微信支付", "微信支付: 二维码赞赏到账0.03"}, kind: KindPayment, amount: "0.03", method: MethodWechat},
		{name: "shouqianba from wechat", source: "research: c-kzxvldkhX/receiptnotice issue 19",
			in: Input{"com.wosai.cashbar", "收钱吧", "成功收款0.53元,来自微信"}, kind: KindPayment, amount: "0.53", method: MethodWechat},
		{name: "shouqianba from alipay", source: "research: c-kzxvldkhX/receiptnotice issue 19",
			in: Input{"com.wosai.cashbar", "收钱吧", "成功收款0.12元,来自支付宝"}, kind: KindPayment, amount: "0.12", method: MethodAlipay},
		{name: "plain receipt wordings: 收到 X 元转账", source: "research: public PayNotificationParserTest",
			in: Input{Text: "收到 12.50 元转账"}, kind: KindPayment, amount: "12.5"},
		{name: "plain receipt wordings: 已入账", source: "research: public PayNotificationParserTest",
			in: Input{Text: "微信收款 88.00 元已入账"}, kind: KindPayment, amount: "88", method: MethodWechat},
		{name: "plain receipt wordings: 对外收款到账", source: "research: public PayNotificationParserTest",
			in: Input{Text: "对外收款到账 300 元"}, kind: KindPayment, amount: "300"},
		{name: "plain receipt wordings: 收款成功 ¥", source: "research: public PayNotificationParserTest",
			in: Input{Text: "收款成功 ¥58.80"}, kind: KindPayment, amount: "58.8"},
		{name: "plain receipt wordings: year before keyword", source: "research: public PayNotificationParserTest",
			in: Input{Text: "2024年收款 50 元"}, kind: KindPayment, amount: "50"},
		{name: "count and amount in one receipt", source: "research: public PayNotificationParserTest (fallback)",
			in: Input{Text: "收款 1 笔 金额 100.00 元 订单号 2"}, kind: KindPayment, amount: "100"},
		{name: "direct transfer with amount", source: "edge",
			in: Input{alipayPkg, "转账到账", "张三向你转账100.00元"}, kind: KindPayment, amount: "100", method: MethodAlipay},
		{name: "named transfer", source: "edge",
			in: Input{Text: "收到张三转账0.50元"}, kind: KindPayment, amount: "0.5"},
		{name: "marketing after the payment with 提现 and 红包", source: "edge",
			in: Input{alipayPkg, "收钱码到账通知", "成功收款8.88元。享免费提现，收钱1笔得3元红包"}, kind: KindPayment, amount: "8.88", method: MethodAlipay},
		{name: "today's nth payment is one payment", source: "edge",
			in: Input{wechatPkg, "微信支付", "今日第3笔收款0.01元"}, kind: KindPayment, amount: "0.01", method: MethodWechat},
		{name: "manual test that is a payment", source: "edge (people simulate payments with curl)",
			in: Input{Text: "测试 收款0.01元"}, kind: KindPayment, amount: "0.01"},
		{name: "business code (经营码)", source: "research: public payment plugin list (个人收款码、赞赏码、经营码、商家码收款)",
			in: Input{alipayPkg, "收款通知", "经营码收款0.01元"}, kind: KindPayment, amount: "0.01", method: MethodAlipay},
		{name: "merchant code (商家码)", source: "research: public payment plugin list",
			in: Input{wechatPkg, "微信支付", "商家码收款：5.00元"}, kind: KindPayment, amount: "5", method: MethodWechat},
		{name: "receipt code (收款码到账)", source: "edge",
			in: Input{Title: "微信支付", Text: "收款码到账¥1.00"}, kind: KindPayment, amount: "1", method: MethodWechat},
		{name: "bank SMS credit", source: "research: public SMS forwarding guide 【工商银行】…收到转账1000.00元",
			in: Input{"95588", "", "【工商银行】您的账户1234收到转账1000.00元"}, kind: KindPayment, amount: "1000"},
	})
}

// Notifications that must never become payments.
func TestParseIgnored(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "empty", source: "edge", in: Input{}, kind: KindIgnored, reason: ReasonEmpty},
		{name: "blank", source: "edge", in: Input{alipayPkg, "  ", "\n\t "}, kind: KindIgnored, reason: ReasonEmpty, method: MethodAlipay},
		{name: "recap with 你已成功收款", source: "research: zhutianci/beiguo-shop ⑤",
			in: Input{Text: "上一笔播报：你已成功收款999.00元"}, kind: KindIgnored, reason: ReasonRecap},
		{name: "recap concatenated", source: "research: zhutianci/beiguo-shop ④",
			in: Input{Text: "支付宝 上一笔播报：支付宝到账 88.00 元。收钱提醒助手正在为您服务 支付宝到账 88.00 元"}, kind: KindIgnored, reason: ReasonRecap, method: MethodAlipay},
		{name: "two different receive amounts", source: "research: zhutianci/beiguo-shop ⑫ (remark smuggles a second amount)",
			in: Input{Text: "张三 备注：成功收款140.00元 你已成功收款0.01元（新顾客消费）"}, kind: KindIgnored, reason: ReasonAmbiguous, ctype: "新客户"},
		{name: "system message", source: "research: zhutianci/beiguo-shop ⑦",
			in: Input{Text: "您有一条新的系统消息，请注意查收"}, kind: KindIgnored, reason: ReasonNoAmount},
		{name: "alipay expense with red packet", source: "research: public cleanMarketingSuffix test",
			in: Input{alipayPkg, "交易提醒", "你有一笔30.26元的支出，去领0.5元水燃费红包。"}, kind: KindIgnored, reason: ReasonExpense, method: MethodAlipay},
		{name: "alipay expense small purse", source: "research: public RuleRegressionSuite",
			in: Input{alipayPkg, "交易提醒", "你有一笔28.50元的支出，领2元小荷包支付红包。"}, kind: KindIgnored, reason: ReasonExpense, method: MethodAlipay},
		{name: "alipay account paid", source: "research: public RuleRegressionSuite",
			in: Input{alipayPkg, "支付成功通知", "账户100****0000于01月01日00时00分成功付款20.00元"}, kind: KindIgnored, reason: ReasonExpense, method: MethodAlipay},
		{name: "alipay paid to merchant", source: "research: public DEMO_MESSAGES",
			in: Input{Title: "支付宝", Text: "向美团付款32.80元"}, kind: KindIgnored, reason: ReasonExpense, method: MethodAlipay},
		{name: "alipay 付款成功 title, amount in big text", source: "research: public AlipayParser test (星巴克 ¥35)",
			in: Input{alipayPkg, "付款成功", "星巴克 ¥35"}, kind: KindIgnored, reason: ReasonExpense, method: MethodAlipay},
		{name: "alipay points reminder", source: "research: public AlipayParser test",
			in: Input{alipayPkg, "支付宝积分提醒", "您的积分即将过期，快去使用吧"}, kind: KindIgnored, reason: ReasonNoAmount, method: MethodAlipay},
		{name: "alipay transfer without amount", source: "research: c-kzxvldkhX/receiptnotice issue 101",
			in: Input{alipayPkg, "转账", "张三向你转了1笔钱"}, kind: KindIgnored, reason: ReasonTransfer, method: MethodAlipay},
		{name: "wechat paid with merchant", source: "research: public TemplateMatcher test",
			in: Input{wechatPkg, "微信支付", "已支付¥19.90，商户：瑞幸咖啡"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "wechat payment voucher", source: "research: public self-check button text",
			in: Input{wechatPkg, "微信支付", "微信支付凭证：已支付¥3.50 向「自检商户」付款"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "wechat grouped paid", source: "research: public notification normaliser comment",
			in: Input{wechatPkg, "微信支付", "[3条]微信支付: 已支付¥0.03"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "wechat paid by credit card", source: "research: public meituanRaw test",
			in: Input{wechatPkg, "微信支付", "使用招商银行信用卡(1356)支付￥42.10"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "wechat actual paid after discount", source: "research: public RuleRegressionSuite",
			in: Input{wechatPkg, "微信支付", "支付成功，订单金额20元，实付18元，优惠2元"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "wechat paid, refund hint", source: "research: public RuleRegressionSuite",
			in: Input{wechatPkg, "微信支付", "已支付20元，退款请联系商家"}, kind: KindIgnored, reason: ReasonRefund, method: MethodWechat},
		{name: "wechat refund", source: "research: public RuleRegressionSuite",
			in: Input{wechatPkg, "微信支付", "退款成功18元"}, kind: KindIgnored, reason: ReasonRefund, method: MethodWechat},
		{name: "wechat failed debit", source: "research: public RuleRegressionSuite",
			in: Input{wechatPkg, "微信支付", "扣款18元失败"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "wechat scheduled debit", source: "research: public RuleRegressionSuite",
			in: Input{wechatPkg, "微信支付", "明天自动扣款18元"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "wechat outgoing transfer", source: "research: public RuleRegressionSuite",
			in: Input{wechatPkg, "微信支付", "成功转账20元"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "wechat transfer to family", source: "research: public DEMO_MESSAGES",
			in: Input{wechatPkg, "微信支付", "你向妈妈转账了200.00元"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "chat 付款成功", source: "research: public RuleRegressionSuite",
			in: Input{wechatPkg, "张三", "付款成功20元"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "outgoing transfer accepted", source: "edge",
			in: Input{wechatPkg, "微信支付", "转账¥100.00，对方已收款"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "outgoing transfer collected", source: "edge",
			in: Input{wechatPkg, "微信支付", "你的转账100.00元已被领取"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "outgoing transfer collected, no amount", source: "edge",
			in: Input{wechatPkg, "微信支付", "转账已被领取"}, kind: KindIgnored, reason: ReasonExpense, method: MethodWechat},
		{name: "scan to pay someone", source: "edge",
			in: Input{alipayPkg, "支付宝", "付款0.01元"}, kind: KindIgnored, reason: ReasonExpense, method: MethodAlipay},
		{name: "wechat receipt total", source: "research: public WeChat receipt watcher test (收款汇总)",
			in: Input{wechatPkg, "微信收款商业版", "收款汇总 该店今日第8笔收款，共¥999.99"}, kind: KindIgnored, reason: ReasonReport, method: MethodWechat},
		{name: "alipay daily summary", source: "research: Auto-Accounting/AutoResource issue 377 (今日汇总)",
			in: Input{alipayPkg, "二维码收款到账通知", "今日汇总：累计收款金额1,128.00元，累计收款7笔"}, kind: KindIgnored, reason: ReasonReport, method: MethodAlipay},
		{name: "today's total", source: "edge",
			in: Input{wechatPkg, "微信收款助手", "今日收款100.00元"}, kind: KindIgnored, reason: ReasonNoAmount, method: MethodWechat},
		{name: "refund received", source: "edge (Qianji_auto: 微信转账退款到账)",
			in: Input{wechatPkg, "微信支付", "你收到一笔12.00元的退款"}, kind: KindIgnored, reason: ReasonRefund, method: MethodWechat},
		{name: "refund title, amount in text", source: "edge",
			in: Input{wechatPkg, "退款到账通知", "到账¥12.00"}, kind: KindIgnored, reason: ReasonRefund, method: MethodWechat},
		{name: "refund title, swapped fields", source: "edge (SmsForwarder title/text order)",
			in: Input{wechatPkg, "到账¥12.00", "退款到账通知"}, kind: KindIgnored, reason: ReasonRefund, method: MethodWechat},
		{name: "withdrawal", source: "edge",
			in: Input{wechatPkg, "微信支付", "提现到账 100.00元"}, kind: KindIgnored, reason: ReasonWithdrawal, method: MethodWechat},
		{name: "balance fund earnings", source: "edge",
			in: Input{alipayPkg, "余额宝", "余额宝收益到账0.12元"}, kind: KindIgnored, reason: ReasonEarnings, method: MethodAlipay},
		{name: "bill reminder", source: "edge",
			in: Input{alipayPkg, "花呗", "本月账单¥1,234.50，请于10日前还款"}, kind: KindIgnored, reason: ReasonBill, method: MethodAlipay},
		{name: "chat red packet", source: "edge",
			in: Input{wechatPkg, "张三", "[微信红包]恭喜发财，大吉大利"}, kind: KindIgnored, reason: ReasonRedPacket, method: MethodWechat},
		{name: "red packet with amount", source: "edge (decision: red packets are not payments)",
			in: Input{Text: "收到红包0.01元"}, kind: KindIgnored, reason: ReasonRedPacket},
		{name: "chat transfer pending", source: "edge",
			in: Input{wechatPkg, "张三", "[转账]请收款"}, kind: KindIgnored, reason: ReasonTransfer, method: MethodWechat},
		{name: "chat transfer with amount still pending", source: "edge",
			in: Input{wechatPkg, "张三", "[转账]向你转账¥100.00，请确认收款"}, kind: KindIgnored, reason: ReasonTransfer, method: MethodWechat},
		{name: "marketing only", source: "edge",
			in: Input{alipayPkg, "支付宝", "收钱1笔得3元红包，免费领600万元健康保障>>"}, kind: KindIgnored, reason: ReasonNoAmount, method: MethodAlipay},
		{name: "fee rate", source: "edge",
			in: Input{alipayPkg, "经营码", "经营码仅0.38%收钱费率"}, kind: KindIgnored, reason: ReasonNoAmount, method: MethodAlipay},
		{name: "zero amount", source: "edge", in: Input{Text: "收款0.00元"}, kind: KindIgnored, reason: ReasonNoAmount},
		{name: "too precise", source: "edge", in: Input{Text: "收款0.001元"}, kind: KindIgnored, reason: ReasonNoAmount},
		{name: "negative", source: "edge", in: Input{Text: "收款-5.00元"}, kind: KindIgnored, reason: ReasonNoAmount},
		{name: "SmsForwarder sender test", source: "research: pppscn/SmsForwarder strings.xml test_sender_sms",
			in: Input{"19999999999", "SIM1_测试运营商_18888888888", "【测试通道】恭喜您，该发送通道测试成功，请继续添加转发规则！"}, kind: KindIgnored, reason: ReasonSelfTest},
		{name: "V免签 test push", source: "research: szvone/vmqApk MainActivity",
			in: Input{"com.vone.qrcode", "V免签测试推送", "这是一条测试推送信息，如果程序正常，则会提示监听权限正常"}, kind: KindIgnored, reason: ReasonSelfTest},
		{name: "generic test", source: "edge", in: Input{Text: "test"}, kind: KindIgnored, reason: ReasonSelfTest},
		{name: "generic chinese test", source: "edge", in: Input{Title: "测试", Text: "你好"}, kind: KindIgnored, reason: ReasonSelfTest},
		{name: "forwarder banner", source: "research: pppscn/SmsForwarder notification_content",
			in: Input{"com.idormy.sms.forwarder", "短信转发器", "Frpc内网穿透服务运行中"}, kind: KindIgnored, reason: ReasonBanner},
		{name: "balance, not a payment", source: "edge",
			in: Input{Text: "收款后余额100.00元"}, kind: KindIgnored, reason: ReasonNoAmount},
		{name: "malformed thousands in a receipt", source: "edge",
			in: Input{Title: "收款通知", Text: "收款1,23元"}, kind: KindIgnored, reason: ReasonNoAmount},
		{name: "loose amount without receipt context", source: "edge",
			in: Input{Text: "张三 ¥0.01"}, kind: KindIgnored, reason: ReasonNoAmount},
	})
}

func TestParseAmountForms(t *testing.T) {
	cases := []struct {
		text string
		want string // "" = no payment
	}{
		{"收款0.01元", "0.01"},
		{"收款5元", "5"},
		{"收款5.5元", "5.5"},
		{"收款1,234.50元", "1234.5"},
		{"收款1,234,567.89元", "1234567.89"},
		{"收款1，234.50元", "1234.5"}, // full-width comma
		{"收款１，２３４．５０元", "1234.5"},
		{"到账 1430.00 元", "1430"},
		{"到账¥0.01", "0.01"},
		{"到账￥0.01", "0.01"},
		{"到账 ¥ 0.01", "0.01"},
		{"收款 RMB 12.00", "12"},
		{"收款12.00人民币", "12"},
		{"收款:12.34元", "12.34"},
		{"收款：12.34元", "12.34"},
		{"收款1.500元", "1.5"}, // trailing zero carries no precision
		{"收款1234元整", "1234"},
		{"收款5元（老顾客第50次消费）", "5"},
		{"收款1,23元", ""},           // not a thousands group
		{"收款12.345元", ""},         // three decimals
		{"收款600万元", ""},           // marketing magnitude
		{"收款1.2.3元", ""},          // version-like
		{"收款5%", ""},              // percentage
		{"收款5", ""},               // bare integer: a count, not money
		{"收款UID10219元", ""},       // part of an id
		{"收款\xff5元", ""},          // junk glued to the digit
		{"收款99999999999999元", ""}, // beyond ParseYuan's range
	}
	for _, c := range cases {
		got := Parse(Input{Text: c.text})
		if c.want == "" {
			if got.Kind == KindPayment {
				t.Errorf("Parse(%q) = payment %v, want ignored", c.text, got.Amount)
			}
			continue
		}
		want, _ := money.ParseYuan(c.want)
		if got.Kind != KindPayment || got.Amount != want {
			t.Errorf("Parse(%q) = %s %d (reason %q), want payment %d", c.text, got.Kind, got.Amount, got.Reason, want)
		}
	}
}

func TestMethodFromPackage(t *testing.T) {
	cases := map[string]Method{
		"com.eg.android.AlipayGphone":   MethodAlipay,
		" com.eg.android.alipaygphone ": MethodAlipay,
		"com.alipay.m.portal":           MethodAlipay,
		"com.tencent.mm":                MethodWechat,
		"com.tencent.wechat":            MethodWechat,
		"com.tencent.wework":            MethodUnknown,
		"com.tencent.mobileqq":          MethodUnknown,
		"hk.alipay.wallet":              MethodUnknown,
		"com.wosai.cashbar":             MethodUnknown,
		"":                              MethodUnknown,
		"com.tencent.mm.evil":           MethodUnknown,
	}
	for pkg, want := range cases {
		if got := MethodFromPackage(pkg); got != want {
			t.Errorf("MethodFromPackage(%q) = %q, want %q", pkg, got, want)
		}
	}
}

func TestMethodDetection(t *testing.T) {
	cases := []struct {
		in   Input
		want Method
	}{
		{Input{Package: alipayPkg, Text: "收到转账0.01元(微信)"}, MethodAlipay}, // package first
		{Input{Text: "收到转账0.01元(支付宝)"}, MethodAlipay},
		{Input{Text: "收到转账0.01元（支付宝）"}, MethodAlipay},
		{Input{Text: "收到转账0.01元(微信)"}, MethodWechat},
		{Input{Text: "收到转账0.01元【微信】"}, MethodWechat},
		{Input{Title: "支付宝", Text: "成功收款1.00元"}, MethodAlipay},
		{Input{Title: "微信支付", Text: "收款到账2元"}, MethodWechat},
		{Input{Title: "收钱码到账通知", Text: "成功收款0.01元"}, MethodAlipay},
		{Input{Title: "微信支付", Text: "二维码赞赏到账0.03元"}, MethodWechat},
		{Input{Text: "微信或支付宝收款0.01元"}, MethodUnknown}, // both named: not guessed
		{Input{Title: "收款通知", Text: "收款0.01元"}, MethodUnknown},
	}
	for _, c := range cases {
		if got := Parse(c.in).Method; got != c.want {
			t.Errorf("Parse(%+v).Method = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCustomerType(t *testing.T) {
	cases := map[string]string{
		"你已成功收款0.01元（新顾客消费）":       "新客户",
		"你已成功收款0.01元(新客户)":         "新客户",
		"你已成功收款0.01元（老顾客消费）":       "老顾客",
		"微信支付收款0.01元(老顾客第50次消费)":   "老顾客",
		"微信支付收款0.01元(老客户到店)":       "老顾客",
		"微信支付收款0.01元(朋友到店)":        "",
		"你已成功收款0.01元（新顾客消费） 老顾客福利": "新客户", // the first marker wins
	}
	for text, want := range cases {
		if got := Parse(Input{Text: text}).CustomerType; got != want {
			t.Errorf("Parse(%q).CustomerType = %q, want %q", text, got, want)
		}
	}
}

func TestReasonTexts(t *testing.T) {
	for _, r := range []string{ReasonEmpty, ReasonSelfTest, ReasonRecap, ReasonRefund, ReasonWithdrawal, ReasonExpense,
		ReasonBill, ReasonReport, ReasonEarnings, ReasonRedPacket, ReasonTransfer, ReasonBanner, ReasonAmbiguous, ReasonNoAmount} {
		if zh := ReasonText(r); zh == r || zh == "" {
			t.Errorf("no Chinese text for %q", r)
		}
	}
	if got := ReasonText("whatever"); got != "whatever" {
		t.Errorf("ReasonText(unknown) = %q", got)
	}
}

func TestSplitRendered(t *testing.T) {
	cases := []struct {
		name string
		s    string
		want Input
		ok   bool
	}{
		{"default v3 app template",
			"com.eg.android.AlipayGphone\n已转入余额 茅台戴森限时开抢中>>\n你已成功收款0.01元（新顾客消费）\nUID：12345\n2026-11-26 10:00:00\nSmsF 设备名",
			Input{alipayPkg, "你已成功收款0.01元（新顾客消费）", "已转入余额 茅台戴森限时开抢中>>"}, true},
		{"empty device name trimmed away",
			"com.tencent.mm\n微信支付收款0.01元(朋友到店)\n微信支付\nUID：10086\n2026-11-26 10:00:00",
			Input{wechatPkg, "微信支付", "微信支付收款0.01元(朋友到店)"}, true},
		{"empty title",
			"com.eg.android.AlipayGphone\n上一笔播报：支付宝到账 1430.00 元。收钱提醒助手正在为您服务\n\nUID：10219\n2026-06-08 11:53:44\n",
			Input{alipayPkg, "", "上一笔播报：支付宝到账 1430.00 元。收钱提醒助手正在为您服务"}, true},
		{"old version without UID, CRLF",
			"com.tencent.mm\r\n[3条]微信支付: 微信支付收款0.05元\r\n微信支付\r\n2026/11/26 10:00:00\r\n我的手机\r\n",
			Input{wechatPkg, "微信支付", "[3条]微信支付: 微信支付收款0.05元"}, true},
		{"multi-line content",
			"com.tencent.mm\n收款金额 ￥12.30\n今日第8笔收款\n微信收款商业版\nUID：1\n2026-11-26 10:00:00",
			Input{wechatPkg, "微信收款商业版", "收款金额 ￥12.30\n今日第8笔收款"}, true},
		{"scheme suffix on title",
			"com.eg.android.AlipayGphone\n已转入余额\n你已成功收款3.00元#####alipays\nUID：1\n2026-11-26 10:00:00",
			Input{alipayPkg, "你已成功收款3.00元", "已转入余额"}, true},
		{"SMS sender test message",
			"19999999999\n【测试通道】恭喜您，该发送通道测试成功，请继续添加转发规则！\nSIM1_测试运营商_18888888888\nSubId：1\n2026-11-26 10:00:00\n",
			Input{"19999999999", "SIM1_测试运营商_18888888888", "【测试通道】恭喜您，该发送通道测试成功，请继续添加转发规则！"}, true},
		{"package and text only, signature",
			"com.tencent.mm\n微信支付收款0.01元\nSmsForwarder",
			Input{Package: wechatPkg, Text: "微信支付收款0.01元"}, true},
		{"literal backslash-n",
			`com.tencent.mm\n微信支付收款0.01元\n微信支付\nUID：1\n2026-11-26 10:00:00`,
			Input{wechatPkg, "微信支付", "微信支付收款0.01元"}, true},
		{"labelled template",
			"来源：com.tencent.mm\n标题：微信支付\n内容：微信支付收款0.01元\n第二行\n接收时间：2026-11-26 10:00:00\n设备名称：店里的手机",
			Input{wechatPkg, "微信支付", "微信支付收款0.01元\n第二行"}, true},
		{"plain message", "收到转账0.01元(支付宝)", Input{Text: "收到转账0.01元(支付宝)"}, false},
		{"two plain lines", "你已成功收款5.00元\n已转入余额", Input{Text: "你已成功收款5.00元\n已转入余额"}, false},
		{"digits then text without time", "12345\n收款5元", Input{Text: "12345\n收款5元"}, false},
		{"single package line", "com.tencent.mm", Input{Text: "com.tencent.mm"}, false},
		{"empty", "", Input{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := SplitRendered(c.s)
			if ok != c.ok || got != c.want {
				t.Errorf("SplitRendered(%q)\n got %+v, %v\nwant %+v, %v", c.s, got, ok, c.want, c.ok)
			}
		})
	}
}

// The receive time, UID and SIM numbers of a rendering are never amounts,
// even when the content itself has none.
func TestRenderedNumbersAreNotAmounts(t *testing.T) {
	s := "com.tencent.mm\n收款到账通知\n微信支付\nUID：500\n2026-11-26 10:00:00\n收款机 1号 50元"
	got := Parse(Input{Text: s})
	if got.Kind != KindIgnored || got.Reason != ReasonNoAmount {
		t.Errorf("Parse(rendered without amount) = %+v, want ignored/no amount", got)
	}
}

// Huge and hostile inputs: no panic, bounded work.
func TestParseHostile(t *testing.T) {
	big := strings.Repeat("收款0.01元,", 1<<16) // ~1.2 MB
	inputs := []Input{
		{Text: big},
		{Title: big, Text: big, Package: big},
		{Text: strings.Repeat("1", 1<<20)},
		{Text: strings.Repeat("¥", 1<<18)},
		{Text: strings.Repeat("\xff\xfe收款", 1<<16)},
		{Text: strings.Repeat("com.a.b\n", 1<<16)},
		{Text: "收款" + strings.Repeat(",000", 1000) + "元"},
		{Text: "\x00\x01\x02收款1元\x7f"},
	}
	start := time.Now()
	for _, in := range inputs {
		r := Parse(in)
		checkInvariants(t, in, r)
		SplitRendered(in.Text)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("hostile inputs took %v", d)
	}
	// Only the first 4 KiB of a field are read.
	r := Parse(Input{Text: strings.Repeat("你好", 2048) + "收款5元"})
	if r.Kind == KindPayment {
		t.Errorf("amount past the 4 KiB cap was read: %+v", r)
	}
}

func checkInvariants(t *testing.T, in Input, r Result) {
	t.Helper()
	switch r.Kind {
	case KindPayment:
		if r.Amount <= 0 || r.Reason != "" {
			t.Fatalf("Parse(%q) = %+v: payment needs amount > 0 and no reason", clip(in), r)
		}
	case KindIgnored:
		if r.Reason == "" || r.ReasonZh == "" || r.Amount != 0 {
			t.Fatalf("Parse(%q) = %+v: ignored needs a reason and no amount", clip(in), r)
		}
	default:
		t.Fatalf("Parse(%q) kind = %q", clip(in), r.Kind)
	}
	switch r.Method {
	case MethodUnknown, MethodAlipay, MethodWechat:
	default:
		t.Fatalf("method %q", r.Method)
	}
	switch r.CustomerType {
	case "", "新客户", "老顾客":
	default:
		t.Fatalf("customerType %q", r.CustomerType)
	}
}

func clip(in Input) string {
	s := in.Package + "|" + in.Title + "|" + in.Text
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func BenchmarkParse(b *testing.B) {
	in := Input{alipayPkg, "你已成功收款800.00元（老顾客消费）", "已转入余额 收钱1笔兑2包纸巾>>"}
	for b.Loop() {
		Parse(in)
	}
}
