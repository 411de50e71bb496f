package parse

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"paygate/app/money"
)

// corpusCase is one line of testdata/notifications.jsonl (a copy of
// shared/corpus/notifications.jsonl: real notifications with the expected outcome).
type corpusCase struct {
	ID      string `json:"id"`
	Package string `json:"package"`
	Title   string `json:"title"`
	Text    string `json:"text"`
	Expect  struct {
		Kind          string  `json:"kind"`
		Amount        string  `json:"amount"`
		PaymentMethod string  `json:"paymentMethod"`
		CustomerType  *string `json:"customerType"`
		Reason        string  `json:"reason"`
	} `json:"expect"`
	Source string `json:"source"`
}

func loadCorpus(tb testing.TB) []corpusCase {
	tb.Helper()
	f, err := os.Open("testdata/notifications.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c corpusCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			tb.Fatalf("line %d: %v", n, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(cases) == 0 {
		tb.Fatal("empty corpus")
	}
	return cases
}

// The corpus words its reasons for people; these are our machine reasons.
var corpusReasons = map[string]string{
	"recap of an earlier payment": ReasonRecap,
	"assistant banner":            ReasonBanner,
	"expense":                     ReasonExpense,
	"no amount":                   ReasonNoAmount,
	"monthly report":              ReasonReport,
	"monitor self-test":           ReasonSelfTest,
}

func (c corpusCase) input() Input { return Input{Package: c.Package, Title: c.Title, Text: c.Text} }

func checkCorpusResult(t *testing.T, c corpusCase, got Result) {
	t.Helper()
	if string(got.Kind) != c.Expect.Kind {
		t.Fatalf("kind = %q (reason %q), want %q", got.Kind, got.Reason, c.Expect.Kind)
	}
	if got.Kind == KindPayment {
		want, err := money.ParseYuan(c.Expect.Amount)
		if err != nil {
			t.Fatalf("bad expected amount %q: %v", c.Expect.Amount, err)
		}
		if got.Amount != want {
			t.Errorf("amount = %v fen, want %v fen", int64(got.Amount), int64(want))
		}
		if string(got.Method) != c.Expect.PaymentMethod {
			t.Errorf("method = %q, want %q", got.Method, c.Expect.PaymentMethod)
		}
		wantCT := ""
		if c.Expect.CustomerType != nil {
			wantCT = *c.Expect.CustomerType
		}
		if got.CustomerType != wantCT {
			t.Errorf("customerType = %q, want %q", got.CustomerType, wantCT)
		}
		return
	}
	if got.Amount != 0 || got.Reason == "" || got.ReasonZh == "" {
		t.Errorf("ignored result = %+v: want amount 0 and a reason", got)
	}
	if want, ok := corpusReasons[c.Expect.Reason]; ok && got.Reason != want {
		t.Errorf("reason = %q, want %q (%s)", got.Reason, want, c.Expect.Reason)
	}
}

func TestCorpus(t *testing.T) {
	for _, c := range loadCorpus(t) {
		t.Run(c.ID, func(t *testing.T) {
			checkCorpusResult(t, c, Parse(c.input()))
		})
	}
}

// renderings of one notification in the shapes SmsForwarder produces.
type rendering struct {
	name string
	s    string
}

func renderings(in Input) []rendering {
	const (
		uid    = "10219"
		when   = "2026-11-26 10:00:00"
		device = "SmsF 收款专用机2号"
	)
	return []rendering{
		// v3 default app template: from, content, title, UID, time, device.
		{"default", strings.Join([]string{in.Package, in.Text, in.Title, "UID：" + uid, when, device}, "\n")},
		// Older versions: no UID line, device name left empty (trimmed away).
		{"no-uid", strings.Join([]string{in.Package, in.Text, in.Title, when}, "\n")},
		// Title line first, as custom templates often do, half-width colon.
		{"title-first", strings.Join([]string{in.Package, in.Title, in.Text, "UID:" + uid, when, device}, "\n")},
		// No separate title line: title and text on one line.
		{"no-title-line", strings.Join([]string{in.Package, strings.TrimSpace(in.Title + " " + in.Text), "UID：" + uid, when, device}, "\n")},
		// Windows line ends, blank lines, padding.
		{"crlf", "\r\n" + strings.Join([]string{in.Package + "  ", "", in.Text, in.Title, "", " UID：" + uid, when, "", ""}, "\r\n")},
		// A labelled custom template.
		{"labelled", strings.Join([]string{"来源：" + in.Package, "标题：" + in.Title, "内容：" + in.Text, "时间：" + when, "设备：" + device}, "\n")},
	}
}

func TestCorpusRendered(t *testing.T) {
	for _, c := range loadCorpus(t) {
		want := Parse(c.input())
		for _, r := range renderings(c.input()) {
			t.Run(c.ID+"/"+r.name, func(t *testing.T) {
				split, ok := SplitRendered(r.s)
				if !ok {
					t.Fatalf("SplitRendered did not recognise %q", r.s)
				}
				if split.Package != c.Package {
					t.Errorf("package = %q, want %q", split.Package, c.Package)
				}
				for _, s := range []string{split.Title, split.Text} {
					if strings.Contains(s, "10219") || strings.Contains(s, "2026-11-26") || strings.Contains(s, "收款专用机") {
						t.Errorf("UID, time or device left in %q", s)
					}
				}
				checkCorpusResult(t, c, Parse(split))
				sameResult(t, "split", Parse(split), want)
				// The gateway may also hand the rendering over unsplit, with or
				// without SmsForwarder's separate "from" field.
				sameResult(t, "text only", Parse(Input{Text: r.s}), want)
				sameResult(t, "from+content", Parse(Input{Package: c.Package, Text: r.s}), want)
			})
		}
	}
}

func sameResult(t *testing.T, what string, got, want Result) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}
