// Package parse decides whether a notification forwarded from the shop's phone
// is an incoming Alipay / WeChat payment, and if so for how much, by which
// method and from which kind of customer.
//
// It is pure (no I/O) and works with general rules rather than one pattern per
// known wording, because the apps change their texts often:
//
//   - an amount only counts when it is clearly money (¥/￥ before it, 元 after
//     it) and is attached to a receive keyword (收款, 到账, 向你付款, 收到转账 …);
//     numbers in marketing phrases (免费领600万元, 0.38%, 收钱1笔得3元红包, 100积分,
//     第50次消费) never count;
//   - words that mean "this is not money coming in" (支出, 已支付, 退款, 上一笔播报 …)
//     veto a receive amount in the same clause, and decide the reason when no
//     payment is found;
//   - when two different receive amounts appear, nothing is guessed: the
//     notification is ignored as ambiguous and waits for a person.
//
// A missed payment is recoverable (the raw notification is stored and can be
// confirmed by hand); a wrong one confirms somebody else's order. So every rule
// errs on the side of "ignored".
package parse

import (
	"strings"

	"paygate/app"
	"paygate/app/money"
)

// Kind says whether a notification is a payment.
type Kind string

// Kinds of notification.
const (
	KindPayment Kind = "payment"
	KindIgnored Kind = "ignored"
)

// Method is the payment channel.
type Method string

// Payment methods.
const (
	MethodUnknown Method = ""
	MethodAlipay  Method = "alipay"
	MethodWechat  Method = "wechat"
)

// Input is one forwarded notification. Any field may be empty.
type Input struct {
	Package string // Android package name, e.g. com.eg.android.AlipayGphone, com.tencent.mm
	Title   string
	Text    string
}

// Result is what Parse decided.
type Result struct {
	Kind         Kind
	Amount       money.Fen // > 0 when Kind == KindPayment
	Method       Method    // from package, title, text, "(支付宝)"/"(微信)" suffix; MethodUnknown if none
	CustomerType string    // "新客户", "老顾客" or ""
	Reason       string    // why it was ignored (one of the Reason… constants); "" for payments
	ReasonZh     string    // the same reason in Chinese for the admin UI
}

// Reasons for ignoring a notification. They are stable machine words: the
// admin UI and the database keep them.
const (
	ReasonEmpty      = "empty"       // no title and no text
	ReasonSelfTest   = "self-test"   // a forwarder's test message
	ReasonRecap      = "recap"       // Alipay's 上一笔播报 repeats an earlier payment
	ReasonRefund     = "refund"      // 退款 / 退回
	ReasonWithdrawal = "withdrawal"  // 提现: money leaving the balance for a bank card
	ReasonExpense    = "expense"     // money going out: 支出, 已支付, 付款成功, outgoing transfers
	ReasonBill       = "bill"        // 账单, 还款, 待还
	ReasonReport     = "report"      // 月报/周报/日报, totals (累计, 汇总)
	ReasonEarnings   = "earnings"    // 收益, 利息, 返现: not a customer's payment
	ReasonRedPacket  = "red packet"  // 红包 in a chat: not a merchant payment (see DecisionRedPacket)
	ReasonTransfer   = "transfer"    // a chat transfer ([转账]) that still has to be accepted, or one without amount
	ReasonBanner     = "banner"      // 收钱提醒助手正在为您服务 and other status banners
	ReasonAmbiguous  = "ambiguous"   // two different receive amounts: a person has to look
	ReasonNoAmount   = "no amount"   // nothing that reads as an incoming amount
	ReasonWeworkChat = "wework chat" // 企业微信 but not its 对外收款 receipt: a chat can say anything
	ReasonChat       = "chat"        // WeChat or Alipay, but a person's message, not the payment service's: a chat can say anything
)

// DecisionRedPacket documents a product decision: a red packet (红包) received
// in a chat is not treated as a payment. Red packet notifications carry no
// amount, have to be opened by hand, and cannot be told apart from gifts, so
// matching them against orders would only produce false confirmations.
const DecisionRedPacket = "red packets are never payments"

var reasonZh = map[string]string{
	ReasonEmpty:      "空通知",
	ReasonSelfTest:   "转发器测试消息",
	ReasonRecap:      "上一笔播报，重复之前的收款",
	ReasonRefund:     "退款，不是收款",
	ReasonWithdrawal: "提现，不是收款",
	ReasonExpense:    "支出，不是收款",
	ReasonBill:       "账单或还款提醒",
	ReasonReport:     "报表或汇总，不是单笔收款",
	ReasonEarnings:   "收益或奖励，不是收款",
	ReasonRedPacket:  "红包，不按收款处理",
	ReasonTransfer:   "聊天转账待确认或无金额，不是到账通知",
	ReasonBanner:     "收款助手横幅，没有收款",
	ReasonAmbiguous:  "出现多个不同金额，需人工核对",
	ReasonNoAmount:   "没有找到收款金额",
	ReasonWeworkChat: "企业微信消息，不是对外收款的到账通知",
	ReasonChat:       "聊天消息，不是微信支付或支付宝的收款通知",
}

// ReasonText returns the Chinese text for a reason, or the reason itself when
// it is not one of ours.
func ReasonText(reason string) string {
	if zh, ok := reasonZh[reason]; ok {
		return zh
	}
	return reason
}

// maxField caps the work done on one field: real notifications are a few
// hundred bytes, so anything past 4 KiB is junk or an attack.
const maxField = 4 << 10

// Phrases that settle a notification whatever else it says.
var (
	// Test messages of the forwarders paygate pairs with: the V免签 monitor's
	// self-test, and SmsForwarder's "test this sender" button
	// (【测试通道】恭喜您，该发送通道测试成功，请继续添加转发规则！).
	selfTestPhrases = []string{"这是一条测试推送信息", "测试推送", "监听权限正常", "发送通道测试成功", "通道测试成功", "[测试通道]"}
	// Alipay's speaker assistant repeats the previous payment; matching it
	// would confirm another customer's order.
	recapPhrases = []string{"上一笔播报", "上笔播报", "历史播报", "最近一笔", "上一笔"}
	// WeChat chat previews: "[转账]请收款", "[微信红包]恭喜发财，大吉大利".
	chatTransferMarkers  = []string{"[转账]"}
	chatRedPacketMarkers = []string{"[微信红包]", "[红包]"}
)

// A category of words that say a notification is not an incoming payment.
type exclusion struct {
	reason string
	words  []string
	// clause: the words veto a receive amount in the same clause (and in a
	// field without any amount). Others only name the reason when no payment
	// was found: they are common in the marketing lines of real payments
	// (享免费提现, 查看账单, 领红包).
	clause bool
	// field: the words also veto the whole notification when they stand in a
	// field that has no amount of its own (a refund's title "退款通知" over a
	// text "到账0.01元"). Only words that never appear in payment marketing.
	field bool
}

// exclusions in priority order: the first category found names the reason.
var exclusions = []exclusion{
	{ReasonRefund, []string{"退款", "退回", "退还", "已退"}, true, true},
	{ReasonWithdrawal, []string{"提现"}, true, false},
	{ReasonExpense, []string{
		"支出", "已支付", "支付成功", "付款成功", "成功付款", "已付款", "支付了", "付款给", "支付给",
		"扣款", "扣费", "已扣除", "自动续费", "转出", "充值成功", "缴费成功", "消费成功",
		// outgoing transfers seen from the payer's side
		"对方已收款", "已被领取", "已被接收", "已领取你", "领取了你", "你向", "您向", "成功转账", "转账成功",
	}, true, true},
	{ReasonBill, []string{"账单", "还款", "待还", "应还", "出账"}, true, false},
	{ReasonReport, []string{"月报", "周报", "日报", "年报", "报表", "汇总", "累计"}, true, false},
	{ReasonEarnings, []string{"收益", "利息", "返现", "奖励金"}, true, false},
	{ReasonRedPacket, []string{"[微信红包]", "[红包]", "发了一个红包", "发来一个红包", "发了红包", "收到红包", "收到一个红包", "红包已"}, false, false},
	{ReasonTransfer, []string{"[转账]", "向你转了", "向您转了", "请收款", "待接收", "确认收款", "待确认"}, false, false},
	{ReasonBanner, []string{"正在为您服务", "正在为你服务", "运行中", "正在运行", "美好的一天"}, false, false},
}

// Words that show a notification talks about money coming in. They allow the
// fallback (one clearly-marked amount somewhere in a receipt notification).
var receiveContext = []string{"收款", "到账", "入账", "收钱", "向你付款", "向您付款", "向你转账", "向您转账", "收到转账", "收到一笔", "赞赏"}

// Parse classifies one notification. It is pure, never panics and does not
// compile anything per call.
func Parse(in Input) Result {
	// SmsForwarder's default webhook sends the package as "from" and the whole
	// rendered template as "content": take the title back out of it.
	if strings.TrimSpace(in.Title) == "" {
		if sp, ok := SplitRendered(in.Text); ok {
			if strings.TrimSpace(in.Package) == "" {
				in.Package = sp.Package
			}
			in.Title, in.Text = sp.Title, sp.Text
		}
	}
	pkg := strings.TrimSpace(capField(in.Package))
	fullTitle := strings.TrimSpace(stripScheme(normalize(capField(in.Title))))
	fullText := strings.TrimSpace(normalize(capField(in.Text)))
	title := strings.TrimSpace(stripGroupPrefix(fullTitle))
	text := strings.TrimSpace(stripGroupPrefix(fullText))
	all := title + "\n" + text

	res := Result{
		Method:       detectMethod(pkg, title, text),
		CustomerType: customerType(all),
	}
	if title == "" && text == "" {
		return ignore(res, ReasonEmpty)
	}
	if strings.EqualFold(pkg, weworkPackage) && !weworkReceipt(pkg, title, text) {
		return ignore(res, ReasonWeworkChat)
	}
	if containsAny(all, selfTestPhrases) {
		return ignore(res, ReasonSelfTest)
	}
	if containsAny(all, recapPhrases) {
		return ignore(res, ReasonRecap)
	}
	// Chat messages: a transfer that still has to be accepted, a red packet
	// (see DecisionRedPacket). Money only arrives with WeChat Pay's own
	// notification, if at all.
	if containsAny(all, chatTransferMarkers) {
		return ignore(res, ReasonTransfer)
	}
	if containsAny(all, chatRedPacketMarkers) {
		return ignore(res, ReasonRedPacket)
	}

	type field struct {
		s    string
		r    []rune
		hits []amountHit
	}
	fields := [2]field{{s: title, r: []rune(title)}, {s: text, r: []rune(text)}}
	for i := range fields {
		fields[i].hits = findAmounts(fields[i].r)
	}
	// A field without any amount of its own that says "refund" or "paid"
	// speaks for the whole notification.
	for _, f := range fields {
		if countMarked(f.hits) == 0 {
			if r := exclusionReason(f.s, func(e exclusion) bool { return e.field }); r != "" {
				return ignore(res, r)
			}
		}
	}

	// A payment found in a person's chat message is not one.
	payment := func(fen money.Fen) Result {
		if fromChat(pkg, fullTitle, fullText) {
			return ignore(res, ReasonChat)
		}
		return pay(res, fen)
	}
	var (
		receive  []money.Fen
		vetoed   []money.Fen // receive amounts a veto word stands beside
		vetoedBy string
		marked   []money.Fen // clearly-marked amounts not attached to anything, in a receipt context
		loose    []money.Fen // all amounts not attached to anything
		expense  bool
	)
	titleContext := containsAny(title, receiveContext)
	for _, f := range fields {
		// Many hits share a clause (junk input can hold thousands): look at
		// each clause once.
		cl := clauseCache{r: f.r}
		for _, h := range f.hits {
			switch h.attach {
			case attachReceive:
				if r := cl.get(h.kwStart).veto; r != "" {
					if vetoedBy == "" {
						vetoedBy = r
					}
					vetoed = appendDistinct(vetoed, h.fen)
					continue
				}
				receive = appendDistinct(receive, h.fen)
			case attachExpense:
				expense = true
			case attachNone:
				// Only a receipt context makes a loose amount a candidate:
				// its own clause or the title talks about money coming in.
				if h.marked && (titleContext || cl.get(h.start).receipt) {
					marked = appendDistinct(marked, h.fen)
				}
				loose = appendDistinct(loose, h.fen)
			}
		}
	}

	switch {
	case len(receive) == 1 && (differs(vetoed, receive[0]) || differs(marked, receive[0])):
		// The payer's name or remark stands inside a real receipt: a
		// second amount there, vetoed ("到账50元、退款…向你付款0.01元") or
		// unattached ("张三到账100元 ¥0.01"), may be the real one.
		return ignore(res, ReasonAmbiguous)
	case len(receive) == 1:
		return payment(receive[0])
	case len(receive) > 1:
		return ignore(res, ReasonAmbiguous)
	}
	// Fallback: a receipt notification ("收款通知" + "张三 ¥0.01") whose only
	// amount is clearly money but not attached to a keyword. Only when nothing
	// at all speaks against it: no second loose amount, no expense, no
	// exclusion word anywhere, no test.
	if vetoedBy == "" && !expense && len(marked) == 1 && len(loose) == 1 &&
		exclusionReason(all, func(exclusion) bool { return true }) == "" && !looksLikeTest(all) {
		return payment(marked[0])
	}

	switch {
	case looksLikeTest(all):
		return ignore(res, ReasonSelfTest)
	case vetoedBy != "":
		return ignore(res, vetoedBy)
	}
	if r := exclusionReason(all, func(exclusion) bool { return true }); r != "" {
		return ignore(res, r)
	}
	if expense {
		return ignore(res, ReasonExpense)
	}
	return ignore(res, ReasonNoAmount)
}

// clauseInfo is what Parse needs to know about one clause.
type clauseInfo struct {
	veto    string // the exclusion that vetoes a receive amount in it
	receipt bool   // it talks about money coming in
}

type clauseCache struct {
	r      []rune
	starts []int              // clause start of every rune offset, computed once
	seen   map[int]clauseInfo // by clause start
}

// get describes the clause around rune offset p.
func (c *clauseCache) get(p int) clauseInfo {
	if c.starts == nil {
		c.starts = make([]int, len(c.r)+1)
		start := 0
		for i := range c.starts {
			if i > 0 && isClauseBreak(c.r[i-1]) {
				start = i
			}
			c.starts[i] = start
		}
	}
	p = min(max(p, 0), len(c.r))
	start := c.starts[p]
	if info, ok := c.seen[start]; ok {
		return info
	}
	clause := string(c.r[start:clauseEnd(c.r, p)])
	info := clauseInfo{
		veto:    exclusionReason(clause, func(e exclusion) bool { return e.clause }),
		receipt: containsAny(clause, receiveContext),
	}
	if c.seen == nil {
		c.seen = make(map[int]clauseInfo)
	}
	c.seen[start] = info
	return info
}

func pay(res Result, fen money.Fen) Result {
	res.Kind = KindPayment
	res.Amount = fen
	return res
}

func ignore(res Result, reason string) Result {
	res.Kind = KindIgnored
	res.Amount = 0
	res.Reason = reason
	res.ReasonZh = ReasonText(reason)
	return res
}

// looksLikeTest: a message that says 测试 (or "test") and carries no payment
// is somebody pressing a forwarder's test button.
func looksLikeTest(s string) bool {
	return strings.Contains(s, "测试") || strings.Contains(strings.ToLower(s), "test")
}

// exclusionReason returns the reason of the first category (in priority
// order) selected by use whose words appear in s.
func exclusionReason(s string, use func(exclusion) bool) string {
	for _, e := range exclusions {
		if use(e) && containsAny(s, e.words) {
			return e.reason
		}
	}
	return ""
}

// customerType reads Alipay's （新顾客消费）/（老顾客消费） and WeChat's
// (新顾客到店)/(老顾客第50次消费) markers; the earlier marker wins.
func customerType(s string) string {
	newAt := firstIndex(s, "新顾客", "新客户")
	oldAt := firstIndex(s, "老顾客", "老客户")
	switch {
	case newAt >= 0 && (oldAt < 0 || newAt < oldAt):
		return "新客户"
	case oldAt >= 0:
		return "老顾客"
	}
	return ""
}

func firstIndex(s string, subs ...string) int {
	best := -1
	for _, sub := range subs {
		if i := strings.Index(s, sub); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// differs reports whether list holds an amount other than f.
func differs(list []money.Fen, f money.Fen) bool {
	for _, x := range list {
		if x != f {
			return true
		}
	}
	return false
}

func appendDistinct(list []money.Fen, f money.Fen) []money.Fen {
	for _, x := range list {
		if x == f {
			return list
		}
	}
	return append(list, f)
}

// capField keeps at most maxField bytes, cut on a rune boundary, and replaces
// invalid UTF-8 so that later code only ever sees valid text. The replacement
// is U+FFFD rather than nothing so that junk between two digits cannot glue
// them into a bigger number.
func capField(s string) string {
	return strings.ToValidUTF8(app.Cut(s, maxField), "\uFFFD")
}

// normalize folds the full-width forms Chinese input methods produce into
// ASCII (digits, ．，：（）！？；％), brackets 【】［］〔〕 into [], both yen signs
// into ¥, odd spaces into a plain space, drops zero-width characters and turns
// control characters into spaces (CR into LF).
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range s {
		switch {
		case c >= '０' && c <= '９':
			c = c - '０' + '0'
		case c >= 'Ａ' && c <= 'Ｚ':
			c = c - 'Ａ' + 'A'
		case c >= 'ａ' && c <= 'ｚ':
			c = c - 'ａ' + 'a'
		}
		switch c {
		case '．':
			c = '.'
		case '，':
			c = ','
		case '：':
			c = ':'
		case '（':
			c = '('
		case '）':
			c = ')'
		case '【', '［', '〔':
			c = '['
		case '】', '］', '〕':
			c = ']'
		case '！':
			c = '!'
		case '？':
			c = '?'
		case '；':
			c = ';'
		case '％':
			c = '%'
		case '＋':
			c = '+'
		case '－':
			c = '-'
		case '＞':
			c = '>'
		case '＜':
			c = '<'
		case '～':
			c = '~'
		case '￥':
			c = '¥'
		case '\r':
			c = '\n'
		case '\u3000', '\u00a0', '\u2002', '\u2003', '\u2009', '\u202f', '\t':
			c = ' '
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			continue
		}
		if c < 0x20 && c != '\n' || c == 0x7f {
			c = ' '
		}
		b.WriteRune(c)
	}
	return b.String()
}

// stripScheme removes the "#####alipays" suffix some SmsForwarder versions
// append to the title when the notification carries an app scheme.
func stripScheme(s string) string {
	if i := strings.Index(s, "#####"); i >= 0 {
		return s[:i]
	}
	return s
}

// Sender labels WeChat puts before a grouped message ("微信支付: …").
var groupLabels = []string{"微信支付", "微信收款助手", "微信收款商业版", "支付宝", "服务通知", "微信"}

// stripGroupPrefix removes WeChat's grouping prefix "[4条]" and the sender
// label that follows it ("[4条]微信支付: 微信支付收款1.01元" → "微信支付收款1.01元").
// It only removes a label after a group prefix or when it is a known sender,
// so "收款金额:12.30元" keeps its keyword.
func stripGroupPrefix(s string) string {
	t := strings.TrimSpace(s)
	grouped := false
	if strings.HasPrefix(t, "[") {
		if j := strings.Index(t, "条]"); j > 1 && allDigits(t[1:j]) {
			t = strings.TrimSpace(t[j+len("条]"):])
			grouped = true
		}
	}
	if i := strings.Index(t, ":"); i > 0 && i <= 30 {
		label := strings.TrimSpace(t[:i])
		known := false
		for _, l := range groupLabels {
			if label == l {
				known = true
				break
			}
		}
		if (known || grouped && !strings.ContainsAny(label, "0123456789[]()")) && !strings.ContainsAny(label, "\n") {
			t = strings.TrimSpace(t[i+1:])
		}
	}
	return t
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
