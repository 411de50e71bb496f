package parse

import "testing"

// FuzzParse: whatever arrives, Parse does not panic, a payment has a positive
// amount and an ignored notification says why.
func FuzzParse(f *testing.F) {
	for _, c := range loadCorpus(f) {
		f.Add(c.Package, c.Title, c.Text)
	}
	f.Add("", "", "收到转账0.01元(支付宝)")
	f.Add("", "", "收款１，２３４．５０元")
	f.Add("", "", "收款\xff\xfe1,234.5元")
	f.Add("com.tencent.mm", "张三", "[转账]向你转账¥100.00")
	f.Fuzz(func(t *testing.T, pkg, title, text string) {
		in := Input{Package: pkg, Title: title, Text: text}
		r := Parse(in)
		checkInvariants(t, in, r)
		if r != Parse(in) {
			t.Fatalf("Parse(%q) is not deterministic", clip(in))
		}
	})
}

// FuzzSplitRendered: SplitRendered does not panic, hands back the string
// untouched when it does not recognise it, and Parse copes with the result.
func FuzzSplitRendered(f *testing.F) {
	for _, c := range loadCorpus(f) {
		for _, r := range renderings(c.input()) {
			f.Add(r.s)
		}
	}
	f.Add("19999999999\n【测试通道】恭喜您，该发送通道测试成功，请继续添加转发规则！\nSIM1_测试运营商_18888888888\nSubId：1\n2026-11-26 10:00:00\n")
	f.Add(`com.tencent.mm\n微信支付收款0.01元\n微信支付`)
	f.Add("来源：com.tencent.mm\n标题：微信支付\n内容：微信支付收款0.01元")
	f.Fuzz(func(t *testing.T, s string) {
		in, ok := SplitRendered(s)
		if !ok && in != (Input{Text: s}) {
			t.Fatalf("SplitRendered(%q) = %+v, false: want the string back as Text", s, in)
		}
		checkInvariants(t, in, Parse(in))
		checkInvariants(t, Input{Text: s}, Parse(Input{Text: s}))
	})
}
