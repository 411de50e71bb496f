package views

import (
	"context"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"

	"paygate/app"
	"paygate/app/money"
)

// The revenue chart is two inline SVGs side by side (CSS grid): the y-axis
// labels in a fixed-width column, the bars in the rest. Neither has a
// viewBox, so nothing is scaled: the labels are 12 px on a phone and on a
// desktop alike, and the bars stretch with the card (their x and width are
// percentages). No chart library, no script.

// chartHeight is the height of the plot in CSS pixels, labels included.
const (
	chartHeight = 200.0
	chartTop    = 10.0 // room above the highest tick's label
	chartBottom = 24.0 // room for the day labels
)

// revenueChart draws revenue per day.
func revenueChart(ctx context.Context, days []app.DayRevenue) string {
	var peak money.Fen
	for _, d := range days {
		peak = max(peak, d.Revenue)
	}
	ticks := niceTicks(peak)
	top := ticks[len(ticks)-1]
	plotH := chartHeight - chartTop - chartBottom
	y := func(v money.Fen) float64 { return chartTop + plotH - plotH*float64(v)/float64(top) }

	var b strings.Builder
	fmt.Fprintf(&b, `<div class="rchart" role="img" aria-label="%s">`, html.EscapeString(tr(ctx, "近 30 天每日收入", "Revenue per day, last 30 days")))
	fmt.Fprintf(&b, `<svg class="rchart-y" height="%.0f" aria-hidden="true">`, chartHeight)
	for _, t := range ticks {
		fmt.Fprintf(&b, `<text x="100%%" dx="-6" y="%.1f" dy="4" text-anchor="end">%s</text>`, y(t), html.EscapeString(tickLabel(ctx, t)))
	}
	b.WriteString(`</svg>`)
	fmt.Fprintf(&b, `<svg class="rchart-plot" height="%.0f" aria-hidden="true">`, chartHeight)
	for _, t := range ticks {
		fmt.Fprintf(&b, `<line class="grid-line" x1="0" x2="100%%" y1="%.1f" y2="%.1f"/>`, y(t), y(t))
	}
	n := float64(max(len(days), 1))
	slot := 100 / n
	barW := slot * 0.7
	for i, d := range days {
		x := slot*float64(i) + (slot-barW)/2
		h := plotH * float64(d.Revenue) / float64(top)
		class := "bar"
		if d.Revenue == 0 {
			class, h = "bar zero", 1.5
		}
		label := fmt.Sprintf("%s  %s  %s", d.Day.Format("01-02"), yuan(d.Revenue), fmt.Sprintf(tr(ctx, "%d 笔", "%d payments"), d.Orders))
		fmt.Fprintf(&b, `<rect class="%s" x="%.3f%%" y="%.1f" width="%.3f%%" height="%.1f" rx="2"><title>%s</title></rect>`,
			class, x, chartTop+plotH-h, barW, h, html.EscapeString(label))
		// A label every 7 days, the newest day included; the ends are anchored
		// inside the plot so they are never cut.
		if (len(days)-1-i)%7 == 0 {
			cx, anchor := x+barW/2, "middle"
			switch {
			case i == len(days)-1:
				cx, anchor = 100, "end"
			case cx < 4:
				cx, anchor = 0, "start"
			}
			fmt.Fprintf(&b, `<text x="%.3f%%" y="%.0f" text-anchor="%s">%s</text>`, cx, chartHeight-6, anchor, d.Day.Format("01-02"))
		}
	}
	b.WriteString(`</svg></div>`)
	return b.String()
}

// niceTicks are the y-axis values from 0 to just above peak: 3 to 6 of them,
// evenly spaced by 1, 2 or 5 times a power of ten (fen), so each label is a
// round number — ¥0 ¥2 ¥4 ¥6 ¥8 ¥10, never ¥2.5 rounded to ¥2. A day
// without revenue still gets an axis up to ¥10.
func niceTicks(peak money.Fen) []money.Fen {
	if peak <= 0 {
		peak = 1000
	}
	step := niceStep(float64(peak) / 5)
	top := money.Fen(math.Ceil(float64(peak)/float64(step))) * step
	out := make([]money.Fen, 0, 7)
	for v := money.Fen(0); v <= top; v += step {
		out = append(out, v)
	}
	return out
}

// niceStep is the smallest of 1, 2 or 5 times a power of ten that is at
// least raw, and at least 1 fen.
func niceStep(raw float64) money.Fen {
	if raw <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw-1e-9 {
			return money.Fen(math.Round(m * p))
		}
	}
	return money.Fen(10 * p)
}

// tickLabel writes an axis value short, the way people say it: ¥800, ¥5千,
// ¥1.5万 (in English ¥5k, ¥15k, ¥1.2M); ¥0.5 below a yuan.
func tickLabel(ctx context.Context, v money.Fen) string {
	yuan := float64(v) / 100
	short := func(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }
	if Lang(ctx) == "en" {
		switch {
		case yuan >= 1e6:
			return "¥" + short(yuan/1e6) + "M"
		case yuan >= 1e3:
			return "¥" + short(yuan/1e3) + "k"
		}
		return "¥" + short(yuan)
	}
	switch {
	case yuan >= 1e8:
		return "¥" + short(yuan/1e8) + "亿"
	case yuan >= 1e4:
		return "¥" + short(yuan/1e4) + "万"
	case yuan >= 1e3:
		return "¥" + short(yuan/1e3) + "千"
	}
	return "¥" + short(yuan)
}
