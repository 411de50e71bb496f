// Package alert tells the shop owner when something needs them, over the
// channels owners in China use: Bark, Server酱, 企业微信 and 钉钉 group
// bots, Telegram, e-mail and a signed webhook. Messages come from a durable
// queue in the store (one per incident event and channel), are retried with
// growing delays, wait out the owner's quiet hours and a per-channel hourly
// limit, and never follow redirects.
package alert

import (
	"strconv"
	"strings"
	"time"

	"paygate/app"
)

// Message is what one channel sends: a short title and a plain-text body.
type Message struct {
	Title string
	Body  string
	// The incident and event it is about, for the signed webhook's fields.
	Event    app.AlertEvent
	Incident app.AlertIncident
}

// Context is what every message ends with: whose paygate it is and where
// its console is.
type Context struct {
	Shop       string // the shop's name; "" when not set
	ConsoleURL string // e.g. http://192.168.1.5:3000/admin/; "" when unknown
}

// Render writes the message of an incident event.
func Render(ev app.AlertEvent, inc app.AlertIncident, c Context) Message {
	zh, en := inc.Kind.Title()
	m := Message{Event: ev, Incident: inc}
	var b strings.Builder
	switch ev {
	case app.AlertOpened:
		m.Title = "【paygate】" + zh
		b.WriteString(inc.Text)
		b.WriteString("\n\n开始于 " + app.FormatTime(inc.OpenedAt) + "（上海时间）。Since " + app.FormatTime(inc.OpenedAt) + " (Shanghai time).")
	default: // cleared, or resolved before its opening message went out
		m.Title = "【paygate】已恢复：" + zh
		took := ""
		if !inc.ClosedAt.IsZero() {
			took = durationText(inc.ClosedAt.Sub(inc.OpenedAt))
		}
		b.WriteString("✓ 已恢复：" + zh + "。从 " + app.FormatTime(inc.OpenedAt) + " 到 " + app.FormatTime(inc.ClosedAt) + "（上海时间，共 " + took + "）。\n")
		b.WriteString("Resolved: " + en + ", from " + app.FormatTime(inc.OpenedAt) + " to " + app.FormatTime(inc.ClosedAt) + " (Shanghai time, " + took + ").")
		if ev == app.AlertResolved {
			b.WriteString("\n\n当时的情况 What happened:\n" + inc.Text)
		}
	}
	b.WriteString(footer(c))
	m.Body = b.String()
	return m
}

// Test is the message the console's "send test" button sends.
func Test(c Context) Message {
	return Message{
		Title: "【paygate】测试提醒",
		Body: "这是一条测试提醒：收到它，说明这个渠道设置正确，手机失联、收款等待确认等情况会这样通知你。\n" +
			"This is a test alert: this channel works, and paygate will tell you here when a phone goes quiet or a payment waits for you." + footer(c),
		Event: "test",
	}
}

func footer(c Context) string {
	var b strings.Builder
	b.WriteString("\n\n— paygate")
	if c.Shop != "" {
		b.WriteString(" · " + c.Shop)
	}
	if c.ConsoleURL != "" {
		b.WriteString("\n" + c.ConsoleURL)
	}
	return b.String()
}

// durationText is d for a person, rounded: 40 秒, 12 分钟, 3 小时 5 分钟.
func durationText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + " 秒"
	case d < time.Hour:
		return strconv.Itoa(int(d.Round(time.Minute)/time.Minute)) + " 分钟"
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return strconv.Itoa(h) + " 小时"
	}
	return strconv.Itoa(h) + " 小时 " + strconv.Itoa(m) + " 分钟"
}
