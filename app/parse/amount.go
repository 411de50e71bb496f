package parse

import (
	"paygate/app/money"
)

// How an amount relates to the words just before (or after) it.
type attach uint8

const (
	attachNone    attach = iota // no keyword nearby
	attachReceive               // 收款0.01元, 向你付款0.01元, 到账¥0.01, ¥0.01 收到一笔转账
	attachExpense               // 已支付¥14.99, 向美团付款32.80元, 成功转账20元
	attachPromo                 // 领2元红包, 最高888元, 共¥999.99, 余额100.00元
)

// amountHit is one number in a text that may be money.
type amountHit struct {
	fen     money.Fen
	start   int  // rune offset of the amount, including a leading ¥
	end     int  // rune offset just past the amount, including a trailing 元
	marked  bool // ¥ before or 元/人民币 after: it is money, not a count
	attach  attach
	kwStart int // where the receive keyword starts (attachReceive), else start
	kwEnd   int // where it ends, else start
}

// countMarked counts the hits that are clearly money.
func countMarked(hits []amountHit) int {
	n := 0
	for _, h := range hits {
		if h.marked {
			n++
		}
	}
	return n
}

// Keyword categories for the words in front of an amount.
type kwCat uint8

const (
	kwNeutral  kwCat = iota // names that contain a keyword but mean nothing (支付宝 holds 支付)
	kwReceive               // money comes in
	kwExpense               // money goes out, or is not a customer's payment
	kwTransfer              // 转账: in or out depending on who transferred
	kwPromo                 // marketing, totals, balances, fees
)

type keyword struct {
	r   []rune
	cat kwCat
}

// attachKeywords are looked for right before an amount; the nearest one wins,
// and at equal distance the longest (so 向你付款 beats 付款, 支付宝 beats 支付).
var attachKeywords = buildKeywords(map[kwCat][]string{
	kwReceive: {
		"收款", "成功收款", "已收款", "到账", "已到账", "入账", "已入账", "收钱", "赞赏", "收入",
		"收到", "收到了", "收到一笔", "向你付款", "向您付款", "给你付款", "向你转账", "向您转账",
		"给你转账", "收到转账", "转账收款", "已存入",
	},
	kwExpense: {
		"支出", "支付", "已支付", "支付了", "付款", "成功付款", "付款成功", "付了", "扣款", "扣费", "扣除",
		"消费", "消费了", "充值", "缴费", "还款", "转出", "提现", "退款", "退回", "退还", "实付",
		"花费", "发出", "买单", "转给", "对方已收款",
	},
	kwTransfer: {"转账", "转账了"},
	kwPromo: {
		"领", "领取", "得", "获得", "送", "赠", "兑", "兑换", "赢", "抢", "减", "立减", "满", "返",
		"返现", "赚", "享", "最高", "高达", "仅", "价值", "红包", "券", "免费", "额度", "共", "共计",
		"累计", "合计", "总计", "汇总", "余额", "约", "超", "第", "单笔", "限额", "手续费", "服务费",
		"费率", "奖励", "补贴", "抽", "收益", "利息", "积分", "订单金额", "优惠", "原价", "应付",
		"账单", "可用", "保障",
	},
	kwNeutral: {
		"支付宝", "微信支付", "收款码", "收钱码", "收款助手", "收钱吧", "余额宝",
	},
})

func buildKeywords(m map[kwCat][]string) []keyword {
	var out []keyword
	for cat, words := range m {
		for _, w := range words {
			out = append(out, keyword{r: []rune(w), cat: cat})
		}
	}
	return out
}

// Words right after an amount that attach it when nothing precedes it:
// "¥0.01 收到一笔转账", "收款X元已到账".
var (
	receiveAfter = toRunes("已到账", "到账", "已入账", "入账", "已存入", "收到一笔转账", "已收到", "已收款", "收款成功")
	expenseAfter = toRunes("已支付", "的支出", "支出", "付款成功", "已扣款", "已扣除", "已退款", "退款", "已退回", "已转出")
	// After 元: the amount is a prize, a coupon or a limit, not a payment.
	promoAfterYuan = toRunes("红包", "券", "优惠", "现金", "话费", "代金", "额度", "积分", "补贴", "奖励",
		"立减", "保障", "健康", "保额", "福利", "权益", "大礼", "礼包", "免单", "以上", "以下", "以内", "起",
		"封顶", "内", "无门槛", "体验金", "的红包", "的券", "的优惠")
	// Totals: a receive keyword just after these reports a sum, not a payment
	// (今日收款100.00元, 累计收款金额1,128.00元, 共收款¥999.99).
	summaryBefore     = toRunes("累计", "共计", "合计", "总计", "汇总", "共")
	summaryDayBefore  = toRunes("今日", "今天", "本日", "当日", "本月", "本周", "昨日", "昨天", "本年", "今年")
	transferInBefore  = toRunes("收到", "向你", "向您", "给你", "给您")
	amountUnitsBefore = toRunes("RMB", "CNY", "rmb", "cny")
	yuanWords         = toRunes("人民币")
)

func toRunes(words ...string) [][]rune {
	out := make([][]rune, len(words))
	for i, w := range words {
		out[i] = []rune(w)
	}
	return out
}

const (
	scanBack     = 16 // how far back (runes) to look for a keyword
	receiveGap   = 8  // at most this many runes between a receive keyword and its amount
	bareGapLimit = 2  // a bare "0.03" (no ¥, no 元) must follow its keyword this closely
)

// findAmounts lists the numbers in r that read as amounts of money, each with
// what it is attached to. Dates, times, UIDs, counts (1笔, 2包, 第50次),
// percentages and 万-amounts are not amounts. A number with neither ¥ before
// nor 元 after is kept only when it has exactly two decimals and directly
// follows a receive keyword ("二维码赞赏到账0.03").
func findAmounts(r []rune) []amountHit {
	var hits []amountHit
	for i := 0; i < len(r); i++ {
		if !isDigit(r[i]) {
			continue
		}
		numStart := i
		// Part of a longer token: UID10219, v1.2, 100****0000, 2026-06-08, -5,
		// or the tail of a malformed number ("1,23元" is not 23 yuan).
		if i > 0 && blocksNumber(r[i-1]) || i > 1 && r[i-1] == ',' && isDigit(r[i-2]) {
			i = skipNumberish(r, i) - 1
			continue
		}
		j := i
		for j < len(r) && isDigit(r[j]) {
			j++
		}
		// Thousands separators: 1,234,567 (the first group has 1–3 digits).
		if j-i <= 3 {
			for j+3 < len(r) && r[j] == ',' && isDigit(r[j+1]) && isDigit(r[j+2]) && isDigit(r[j+3]) &&
				(j+4 == len(r) || !isDigit(r[j+4])) {
				j += 4
			}
		}
		intEnd := j
		frac := 0
		if j+1 < len(r) && r[j] == '.' && isDigit(r[j+1]) {
			j++
			for j < len(r) && isDigit(r[j]) {
				j++
				frac++
			}
		}
		numEnd := j
		i = numEnd - 1
		// 1.2.3, 12abc: a version or a code.
		if numEnd < len(r) && (isASCIILetter(r[numEnd]) || r[numEnd] == '.' && numEnd+1 < len(r) && isDigit(r[numEnd+1])) {
			i = skipNumberish(r, numEnd) - 1
			continue
		}
		// 600万, 0.38%, 8折: never a payment amount.
		after := skipSpaces(r, numEnd, 2)
		if after < len(r) && isMagnitudeOrPercent(r[after]) {
			continue
		}
		fen, err := money.ParseYuan(string(r[numStart:intEnd]) + fracPart(r, intEnd, numEnd))
		if err != nil || fen <= 0 {
			continue
		}
		h := amountHit{fen: fen, start: numStart, end: numEnd}
		// ¥ (or RMB) in front, allowing a space: "¥ 0.01".
		if p := skipSpacesBack(r, numStart, 2); p > 0 && r[p-1] == '¥' {
			h.start, h.marked = p-1, true
		} else if q := hasSuffixAt(r, p, amountUnitsBefore); q >= 0 {
			h.start, h.marked = q, true
		}
		// 元 (or 人民币) after, allowing a space: "1430.00 元".
		if after < len(r) && r[after] == '元' {
			h.end, h.marked = after+1, true
		} else if q := hasPrefixAt(r, after, yuanWords); q >= 0 {
			h.end, h.marked = q, true
		}
		if !h.marked && frac != 2 {
			continue // a count or an id, not money
		}
		h.kwStart, h.kwEnd = h.start, h.start
		classify(r, &h)
		if !h.marked && (h.attach != attachReceive || h.start-h.kwEnd > bareGapLimit) {
			continue
		}
		hits = append(hits, h)
	}
	return hits
}

// classify sets h.attach from the nearest keyword before the amount (within
// its clause), or from the words right after it, and marks marketing amounts.
func classify(r []rune, h *amountHit) {
	// After 元: 领2元红包, 满100元立减, 10元以内.
	if h.marked && h.end > 0 && r[h.end-1] == '元' {
		if q := skipSpaces(r, h.end, 1); hasPrefixAt(r, q, promoAfterYuan) >= 0 {
			h.attach = attachPromo
			return
		}
	}
	limit := h.start - scanBack
	for p := h.start; p > 0 && p > limit; {
		if isClauseBreak(r[p-1]) {
			break
		}
		kw, ok := longestKeywordEndingAt(r, p)
		if !ok {
			p--
			continue
		}
		kwStart := p - len(kw.r)
		switch kw.cat {
		case kwNeutral:
			p = kwStart
			continue
		case kwPromo:
			h.attach = attachPromo
		case kwExpense:
			h.attach = attachExpense
		case kwTransfer:
			// 收到张三转账0.01元 is incoming; 成功转账20元 / 你向妈妈转账了 is outgoing.
			if containsRunesIn(r, clauseStartWithin(r, kwStart, 8), kwStart, transferInBefore) {
				h.attach = receiveIfClose(r, p, h.start)
			} else {
				h.attach = attachExpense
			}
		case kwReceive:
			h.attach = receiveIfClose(r, p, h.start)
		}
		if h.attach == attachReceive {
			h.kwStart, h.kwEnd = kwStart, p
			if isSummary(r, kwStart) {
				h.attach = attachPromo
			}
		}
		return
	}
	// Nothing before: look right after the amount ("¥0.01 收到一笔转账").
	q := skipSpaces(r, h.end, 2)
	switch {
	case hasPrefixAt(r, q, receiveAfter) >= 0:
		h.attach = attachReceive
	case hasPrefixAt(r, q, expenseAfter) >= 0:
		h.attach = attachExpense
	}
}

// receiveIfClose accepts a receive keyword ending at kwEnd for an amount that
// starts at amountStart when only a few runes without digits lie between
// ("收款金额 ¥12.30", "收到一笔12.00元"), not "收款 1 笔 金额 100.00 元".
func receiveIfClose(r []rune, kwEnd, amountStart int) attach {
	if amountStart-kwEnd > receiveGap {
		return attachNone
	}
	for _, c := range r[kwEnd:amountStart] {
		if isDigit(c) {
			return attachNone
		}
	}
	return attachReceive
}

// isSummary reports a total in front of the receive keyword at kwStart:
// "累计收款", "共收款", "今日收款", "今日已收款". "今日第3笔收款" is one payment.
func isSummary(r []rune, kwStart int) bool {
	if containsRunesIn(r, clauseStartWithin(r, kwStart, 4), kwStart, summaryBefore) {
		return true
	}
	return containsRunesIn(r, clauseStartWithin(r, kwStart, 3), kwStart, summaryDayBefore)
}

// keywordsByLast indexes attachKeywords by their last rune, so that finding
// the keywords that end at a position looks at a handful, not all of them.
var keywordsByLast = func() map[rune][]keyword {
	m := make(map[rune][]keyword)
	for _, kw := range attachKeywords {
		last := kw.r[len(kw.r)-1]
		m[last] = append(m[last], kw)
	}
	return m
}()

// longestKeywordEndingAt returns the longest attach keyword that ends at p.
func longestKeywordEndingAt(r []rune, p int) (keyword, bool) {
	var best keyword
	found := false
	if p <= 0 || p > len(r) {
		return best, false
	}
	for _, kw := range keywordsByLast[r[p-1]] {
		n := len(kw.r)
		if n > p || found && n <= len(best.r) {
			continue
		}
		if equalRunes(r[p-n:p], kw.r) {
			best, found = kw, true
		}
	}
	return best, found
}

// Clause boundaries: sentence ends, commas, line breaks and the ">>" of a
// marketing link. A keyword never attaches across them.
func isClauseBreak(c rune) bool {
	switch c {
	case '。', '!', '?', ';', '\n', ',', '、', '>', '|', '~':
		return true
	}
	return false
}

// clauseStartWithin returns where the clause around p starts, looking back
// at most n runes.
func clauseStartWithin(r []rune, p, n int) int {
	if p > len(r) {
		p = len(r)
	}
	for k := 0; k < n && p > 0 && !isClauseBreak(r[p-1]); k++ {
		p--
	}
	return p
}

func clauseEnd(r []rune, p int) int {
	if p < 0 {
		p = 0
	}
	for p < len(r) && !isClauseBreak(r[p]) {
		p++
	}
	return p
}

// containsRunesIn reports whether any of words occurs entirely within r[from:to].
func containsRunesIn(r []rune, from, to int, words [][]rune) bool {
	if from < 0 {
		from = 0
	}
	if to > len(r) {
		to = len(r)
	}
	for _, w := range words {
		for i := from; i+len(w) <= to; i++ {
			if equalRunes(r[i:i+len(w)], w) {
				return true
			}
		}
	}
	return false
}

// hasPrefixAt returns the end of the first word that starts at r[p], or -1.
func hasPrefixAt(r []rune, p int, words [][]rune) int {
	for _, w := range words {
		if p >= 0 && p+len(w) <= len(r) && equalRunes(r[p:p+len(w)], w) {
			return p + len(w)
		}
	}
	return -1
}

// hasSuffixAt returns the start of the first word that ends at r[p], or -1.
func hasSuffixAt(r []rune, p int, words [][]rune) int {
	for _, w := range words {
		if p <= len(r) && p-len(w) >= 0 && equalRunes(r[p-len(w):p], w) {
			return p - len(w)
		}
	}
	return -1
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func fracPart(r []rune, intEnd, numEnd int) string {
	if numEnd > intEnd {
		return string(r[intEnd:numEnd]) // ".05"
	}
	return ""
}

func skipSpaces(r []rune, p, n int) int {
	for k := 0; k < n && p < len(r) && r[p] == ' '; k++ {
		p++
	}
	return p
}

func skipSpacesBack(r []rune, p, n int) int {
	for k := 0; k < n && p > 0 && r[p-1] == ' '; k++ {
		p--
	}
	return p
}

// skipNumberish moves past the rest of a token made of digits, letters and
// separators, so that its inner digits are not read as a separate number.
func skipNumberish(r []rune, p int) int {
	for p < len(r) && (isDigit(r[p]) || isASCIILetter(r[p]) || r[p] == '.' || r[p] == ',' || r[p] == '_' || r[p] == '*' || r[p] == '-') {
		p++
	}
	return p
}

func isDigit(c rune) bool       { return c >= '0' && c <= '9' }
func isASCIILetter(c rune) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// blocksNumber: a digit right after one of these belongs to an id, a masked
// account number, a version, a date or a negative number.
func blocksNumber(c rune) bool {
	return isASCIILetter(c) || c == '.' || c == '*' || c == '_' || c == '-' || c == '/' || c == '#' || c == '@' || c == '\uFFFD'
}

func isMagnitudeOrPercent(c rune) bool {
	switch c {
	case '万', '千', '亿', '百', '%', '‰', '折', '倍':
		return true
	}
	return false
}
