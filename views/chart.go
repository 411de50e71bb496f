package views

import (
	"context"
	"fmt"
	"html"
	"math"
	"strings"

	"paygate/app"
	"paygate/app/money"
)

// revenueChart draws revenue per day as an inline SVG bar chart: no chart
// library, no script, readable at any width (it scales with its box).
//
// narrow draws it for a phone: a smaller coordinate system, so the labels
// stay readable when the picture is 350 px wide. The page carries both and
// CSS shows the one that fits.
func revenueChart(ctx context.Context, days []app.DayRevenue, narrow bool) string {
	w, h := 720.0, 220.0
	labelEvery := 5
	if narrow {
		w, h, labelEvery = 360.0, 190.0, 7
	}
	const (
		left, right   = 48.0, 6.0
		top, bottom   = 12.0, 26.0
		gridLineCount = 4
	)
	plotW, plotH := w-left-right, h-top-bottom
	peak := money.Fen(0)
	for _, d := range days {
		peak = max(peak, d.Revenue)
	}
	scaleMax := niceCeil(float64(peak))
	var b strings.Builder
	class := "chart-wide"
	if narrow {
		class = "chart-narrow"
	}
	fmt.Fprintf(&b, `<svg class="%s" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" preserveAspectRatio="xMidYMid meet">`,
		class, w, h, html.EscapeString(tr(ctx, "近30天每日收入", "Revenue per day, last 30 days")))
	for i := 0; i <= gridLineCount; i++ {
		v := scaleMax * float64(i) / gridLineCount
		y := top + plotH - plotH*float64(i)/gridLineCount
		fmt.Fprintf(&b, `<line class="grid-line" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f"/>`, left, w-right, y, y)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">¥%s</text>`, left-6, y+3.5, shortYuan(v))
	}
	n := float64(max(len(days), 1))
	slot := plotW / n
	barW := math.Max(slot*0.68, 2)
	for i, d := range days {
		x := left + slot*float64(i) + (slot-barW)/2
		bh := 0.0
		if scaleMax > 0 {
			bh = plotH * float64(d.Revenue) / scaleMax
		}
		barClass := "bar"
		if d.Revenue == 0 {
			barClass, bh = "bar zero", 1.5
		}
		label := fmt.Sprintf("%s  %s  %s", d.Day.Format("01-02"), yuan(d.Revenue),
			fmt.Sprintf(tr(ctx, "%d 笔", "%d payments"), d.Orders))
		fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2"><title>%s</title></rect>`,
			barClass, x, top+plotH-bh, barW, bh, html.EscapeString(label))
		if (len(days)-1-i)%labelEvery == 0 {
			cx, anchor := x+barW/2, "middle"
			if cx > w-right-16 { // the last label would be cut at the right edge
				cx, anchor = w-right, "end"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="%s">%s</text>`, cx, h-8, anchor, d.Day.Format("01-02"))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// niceCeil rounds fen up to 1, 2 or 5 times a power of ten yuan (at least ¥10).
func niceCeil(fen float64) float64 {
	yuan := fen / 100
	if yuan < 10 {
		return 1000
	}
	p := math.Pow(10, math.Floor(math.Log10(yuan)))
	for _, m := range []float64{1, 2, 5, 10} {
		if yuan <= m*p {
			return m * p * 100
		}
	}
	return 10 * p * 100
}

func shortYuan(fen float64) string {
	y := fen / 100
	switch {
	case y >= 10000:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", y/10000), ".0") + "w"
	case y >= 1000:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", y/1000), ".0") + "k"
	}
	return fmt.Sprintf("%.0f", y)
}
