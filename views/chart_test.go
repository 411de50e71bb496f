package views

import (
	"context"
	"slices"
	"strings"
	"testing"

	"paygate/app"
	"paygate/app/money"
)

func TestNiceTicks(t *testing.T) {
	for _, tt := range []struct {
		peak money.Fen
		want []money.Fen
		zh   string // the labels, in Chinese
		en   string
	}{
		{0, []money.Fen{0, 200, 400, 600, 800, 1000}, "¥0 ¥2 ¥4 ¥6 ¥8 ¥10", "¥0 ¥2 ¥4 ¥6 ¥8 ¥10"},
		// The chart: ¥10 in four parts read ¥0/¥2/¥5/¥8/¥10.
		{1000, []money.Fen{0, 200, 400, 600, 800, 1000}, "¥0 ¥2 ¥4 ¥6 ¥8 ¥10", "¥0 ¥2 ¥4 ¥6 ¥8 ¥10"},
		{1250, []money.Fen{0, 500, 1000, 1500}, "¥0 ¥5 ¥10 ¥15", "¥0 ¥5 ¥10 ¥15"},
		{1, []money.Fen{0, 1}, "¥0 ¥0.01", "¥0 ¥0.01"},
		{37, []money.Fen{0, 10, 20, 30, 40}, "¥0 ¥0.1 ¥0.2 ¥0.3 ¥0.4", "¥0 ¥0.1 ¥0.2 ¥0.3 ¥0.4"},
		{88800, []money.Fen{0, 20000, 40000, 60000, 80000, 100000}, "¥0 ¥200 ¥400 ¥600 ¥800 ¥1千", "¥0 ¥200 ¥400 ¥600 ¥800 ¥1k"},
		{250000, []money.Fen{0, 50000, 100000, 150000, 200000, 250000}, "¥0 ¥500 ¥1千 ¥1.5千 ¥2千 ¥2.5千", "¥0 ¥500 ¥1k ¥1.5k ¥2k ¥2.5k"},
		{1234500, []money.Fen{0, 500000, 1000000, 1500000}, "¥0 ¥5千 ¥1万 ¥1.5万", "¥0 ¥5k ¥10k ¥15k"},
		{99999999, []money.Fen{0, 20000000, 40000000, 60000000, 80000000, 100000000}, "¥0 ¥20万 ¥40万 ¥60万 ¥80万 ¥100万", "¥0 ¥200k ¥400k ¥600k ¥800k ¥1M"},
	} {
		got := niceTicks(tt.peak)
		if !slices.Equal(got, tt.want) {
			t.Errorf("niceTicks(%d) = %v, want %v", tt.peak, got, tt.want)
			continue
		}
		if n := len(got) - 1; tt.peak > 1 && (n < 3 || n > 5) {
			t.Errorf("niceTicks(%d): %d intervals, want 3 to 5", tt.peak, n)
		}
		if got[len(got)-1] < tt.peak {
			t.Errorf("niceTicks(%d) stops below the peak: %v", tt.peak, got)
		}
		for lang, want := range map[string]string{"zh": tt.zh, "en": tt.en} {
			ctx := WithLang(context.Background(), lang)
			var labels []string
			for _, v := range got {
				labels = append(labels, tickLabel(ctx, v))
			}
			if s := strings.Join(labels, " "); s != want {
				t.Errorf("labels of %d in %s = %q, want %q", tt.peak, lang, s, want)
			}
		}
	}
}

// The chart is drawn without a viewBox, so its labels keep their CSS size
// (12 px) on a phone, and every tick gets a label.
func TestRevenueChartIsNotScaled(t *testing.T) {
	days := make([]app.DayRevenue, 30)
	days[29].Revenue = 1234500
	svg := revenueChart(WithLang(context.Background(), "zh"), days)
	if strings.Contains(svg, "viewBox") {
		t.Fatal("the chart is scaled by a viewBox: its labels shrink on a phone")
	}
	for _, label := range []string{"¥0", "¥5千", "¥1万", "¥1.5万"} {
		if !strings.Contains(svg, ">"+label+"<") {
			t.Errorf("no axis label %s in the chart", label)
		}
	}
	if strings.Contains(svg, ">¥1.2万<") || strings.Contains(svg, "k<") || strings.Contains(svg, "w<") {
		t.Error("the chart labels are not round 千/万 steps")
	}
}
