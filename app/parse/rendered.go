package parse

import (
	"regexp"
	"strings"

	"paygate/app"
)

// SmsForwarder (pppscn/SmsForwarder) renders an app notification with its
// default template as
//
//	{{APP包名}}        com.eg.android.AlipayGphone
//	{{通知内容}}        已转入余额 茅台戴森限时开抢中>>      (may span several lines)
//	{{通知标题}}        你已成功收款0.01元（新顾客消费）     (may be empty; "#####scheme" may follow)
//	UID：{{UID}}       UID：10234                          (app notifications, v3.x)
//	{{接收时间}}        2026-11-26 10:00:00
//	{{设备名称}}        SmsF 设备名                          (often empty, then trimmed away)
//
// — note that the content comes before the title. Older versions have no UID
// line; SMS messages have the sender number first, the SIM info in the title
// position and "SubId：N" instead of the UID. The webhook's default form body
// is from=[from]&content=<that rendering>, so the rendering reaches us as one
// string. Users also write their own templates with labels ("标题：…").

var (
	packageLineRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+$`)
	senderLineRe  = regexp.MustCompile(`^\+?[0-9]{3,20}$`)
	dateLineRe    = regexp.MustCompile(`^(?:` +
		`\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?` +
		`|\d{1,2}[-/月]\d{1,2}日?\s+\d{1,2}:\d{2}(?::\d{2})?` +
		`|\d{1,2}:\d{2}:\d{2}` +
		`|\d{10}|\d{13}` + // Unix seconds or milliseconds
		`)$`)
	idLineRe    = regexp.MustCompile(`(?i)^(?:uid|subid|卡槽主键)\s*:\s*-?\d*$`)
	labelLineRe = regexp.MustCompile(`(?i)^(来源号码|来源|app包名|包名|from|package|通知标题|标题|title|通知内容|短信内容|内容|消息|content|text|msg|接收时间|时间|time|设备名称|设备|device|卡槽信息|uid|subid)\s*:\s*(.*)$`)
)

// maxRendered caps the work on one rendered string: title and text are each
// capped at maxField later, so a few times that is plenty.
const maxRendered = 4 * maxField

// SplitRendered recognises the text that SmsForwarder sends when its
// notification template is rendered into a single string, and splits it back
// into package, title and text. Receive-time, UID/SubId and device lines are
// dropped, so their numbers never reach Parse. If the string does not look
// like such a rendering, it returns Input{Text: s} and ok=false.
//
// With the default template the title is the last line before the UID (or
// time) line; when the title was empty and the content spans several lines,
// the last content line is taken as the title. Parse reads title and text
// alike, so that only moves text between the two fields.
func SplitRendered(s string) (in Input, ok bool) {
	notRendered := Input{Text: s}
	t := strings.ToValidUTF8(app.Cut(s, maxRendered), "\uFFFD")
	t = strings.ReplaceAll(t, "\r\n", "\n")
	t = strings.ReplaceAll(t, "\r", "\n")
	// A template pasted into a JSON body by hand sometimes keeps "\n" literal.
	if !strings.Contains(t, "\n") && strings.Contains(t, `\n`) {
		t = strings.ReplaceAll(t, `\n`, "\n")
	}
	raw := strings.Split(t, "\n")
	lines := make([]string, len(raw))
	norm := make([]string, len(raw))
	for i, l := range raw {
		lines[i] = strings.TrimSpace(strings.Trim(l, "\u3000\ufeff"))
		norm[i] = strings.TrimSpace(normalize(lines[i]))
	}
	lo, hi := 0, len(lines)
	for lo < hi && lines[lo] == "" {
		lo++
	}
	for hi > lo && lines[hi-1] == "" {
		hi--
	}
	if hi-lo < 2 {
		return notRendered, false
	}
	if in, ok := splitLabelled(lines[lo:hi], norm[lo:hi]); ok {
		return in, true
	}

	first := norm[lo]
	isPackage := packageLineRe.MatchString(first)
	if !isPackage && !senderLineRe.MatchString(first) {
		return notRendered, false
	}

	// From the bottom: [device] ← time ← [UID/SubId] ← title ← content.
	end := hi
	dated := false
	for i, seen := hi-1, 0; i > lo && seen < 3; i-- {
		if lines[i] == "" {
			continue
		}
		seen++
		if dateLineRe.MatchString(norm[i]) {
			end, dated = i, true
			break
		}
	}
	withID := false
	for i, seen := end-1, 0; i > lo && seen < 2; i-- {
		if lines[i] == "" {
			continue
		}
		seen++
		if idLineRe.MatchString(norm[i]) {
			end, withID = i, true
			break
		}
		if dated {
			break // the UID sits right before the time
		}
	}
	// Without time or UID only a real package name on the first line is
	// evidence enough; then drop a trailing SmsForwarder signature.
	if !dated && !withID {
		if !isPackage {
			return notRendered, false
		}
		for end > lo+1 && (lines[end-1] == "" || isSignature(norm[end-1])) {
			end--
		}
	}

	var msg []string
	for i := lo + 1; i < end; i++ {
		if idLineRe.MatchString(norm[i]) {
			continue
		}
		msg = append(msg, lines[i])
	}
	msg = trimBlank(msg)
	in = Input{Package: lines[lo]}
	switch nonBlank(msg) {
	case 0:
	case 1:
		in.Text = strings.TrimSpace(strings.Join(msg, "\n"))
	default:
		// The title is the last line (the template puts it after the content).
		last := len(msg) - 1
		in.Title = stripScheme(msg[last])
		in.Text = strings.Join(trimBlank(msg[:last]), "\n")
	}
	return in, true
}

// splitLabelled reads a user template with labelled lines:
//
//	来源：com.tencent.mm
//	标题：微信支付
//	内容：微信支付收款0.01元
//	时间：2026-11-26 10:00:00
//
// It needs a source line and at least one title or content line. Unlabelled
// lines continue the previous field.
func splitLabelled(lines, norm []string) (Input, bool) {
	const (
		none = iota
		inTitle
		inText
	)
	var (
		pkg                     string
		title, text             []string
		field                   = none
		hasSource, hasTitleText bool
	)
	for i, l := range lines {
		m := labelLineRe.FindStringSubmatch(norm[i])
		if m == nil {
			if i == 0 {
				return Input{}, false
			}
			switch field {
			case inTitle:
				title = append(title, l)
			case inText:
				text = append(text, l)
			}
			continue
		}
		value := labelValue(l)
		switch strings.ToLower(m[1]) {
		case "来源号码", "来源", "app包名", "包名", "from", "package":
			pkg, hasSource, field = value, true, none
		case "通知标题", "标题", "title", "卡槽信息":
			title, hasTitleText, field = append(title, value), true, inTitle
		case "通知内容", "短信内容", "内容", "消息", "content", "text", "msg":
			text, hasTitleText, field = append(text, value), true, inText
		default: // time, device, uid: dropped, and they end a multi-line field
			field = none
		}
	}
	if !hasSource || !hasTitleText {
		return Input{}, false
	}
	return Input{
		Package: pkg,
		Title:   stripScheme(strings.TrimSpace(strings.Join(trimBlank(title), "\n"))),
		Text:    strings.TrimSpace(strings.Join(trimBlank(text), "\n")),
	}, true
}

// labelValue returns what follows the label's colon (half- or full-width) in
// the original line.
func labelValue(l string) string {
	i := strings.IndexAny(l, ":：")
	if i < 0 {
		return ""
	}
	if strings.HasPrefix(l[i:], "：") {
		return strings.TrimSpace(l[i+len("："):])
	}
	return strings.TrimSpace(l[i+1:])
}

// isSignature: a trailing line naming the forwarder rather than the payment.
func isSignature(l string) bool {
	low := strings.ToLower(l)
	return strings.Contains(low, "smsforwarder") || strings.Contains(l, "短信转发器") || strings.HasPrefix(low, "smsf")
}

func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func nonBlank(lines []string) int {
	n := 0
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}
