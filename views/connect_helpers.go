package views

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"paygate/app"
	"paygate/app/console"
)

// oobAttrs marks an element for an out-of-band swap when oob is set.
func oobAttrs(oob bool) templ.Attributes {
	if oob {
		return templ.Attributes{"hx-swap-oob": "true"}
	}
	return nil
}

// stepsLeft says how many checklist steps remain.
func stepsLeft(ctx context.Context, c console.SetupChecklist) string {
	n := 0
	for _, done := range []bool{c.PayQR, c.Paired, c.Heard(), c.Selling()} {
		if !done {
			n++
		}
	}
	return tr(ctx, "还差 "+strconv.Itoa(n)+" 步", strconv.Itoa(n)+" to go")
}

// heardText is the checklist's "received" line.
func heardText(ctx context.Context, c console.SetupChecklist) string {
	if !c.Heard() {
		return ""
	}
	return tr(ctx, "已收到测试通知 ✓ ", "Test notification received ✓ ") + when(c.HeardAt)
}

// incidentTitle is the headline of an incident kind in the console's language.
func incidentTitle(ctx context.Context, k app.AlertKind) string {
	zh, en := k.Title()
	return tr(ctx, zh, en)
}

// incidentText is the incident's text in the console's language: the
// Chinese before the first newline, the English after.
func incidentText(ctx context.Context, inc app.AlertIncident) string {
	zh, en, ok := strings.Cut(inc.Text, "\n")
	if !ok {
		return inc.Text
	}
	return tr(ctx, zh, en)
}

func guideAppName(a string) string {
	if a == "smsf" {
		return "SmsForwarder"
	}
	return "V免签"
}

// alertEventLabel names a queued message's event.
func alertEventLabel(ctx context.Context, e app.AlertEvent) string {
	switch e {
	case app.AlertOpened:
		return tr(ctx, "开始", "started")
	case app.AlertClosed:
		return tr(ctx, "已恢复", "cleared")
	case app.AlertResolved:
		return tr(ctx, "开始并已恢复", "started and cleared")
	}
	return string(e)
}

func alertStatusText(ctx context.Context, m app.AlertMessage) string {
	t, _ := alertStatusLabel(ctx, m)
	return t
}

func alertStatusClass(ctx context.Context, m app.AlertMessage) string {
	_, c := alertStatusLabel(ctx, m)
	return c
}

// fieldValue is what the add-channel form shows again in a field of kind:
// the value typed, when that kind was the one chosen.
func fieldValue(f console.AlertChannelForm, kind, v string) string {
	if f.Kind != kind {
		return ""
	}
	return v
}

// alertStatusLabel names a queued message's status, with its badge class.
func alertStatusLabel(ctx context.Context, m app.AlertMessage) (string, string) {
	switch m.Status {
	case app.AlertSent:
		return tr(ctx, "已发送", "Sent"), "badge ok"
	case app.AlertFailed:
		return tr(ctx, "发送失败", "Failed"), "badge bad"
	case app.AlertDropped:
		return tr(ctx, "不再发送", "Dropped"), "badge"
	}
	if m.Attempts > 0 {
		return tr(ctx, "重试中", "Retrying"), "badge warn"
	}
	return tr(ctx, "等待发送", "Waiting"), "badge info"
}

func settleText(ctx context.Context, d time.Duration) string {
	if d <= 0 {
		return tr(ctx, "立即", "at once")
	}
	if d%time.Minute == 0 {
		return tr(ctx, strconv.Itoa(int(d/time.Minute))+" 分钟", strconv.Itoa(int(d/time.Minute))+" min")
	}
	return d.String()
}

func inList(s string, list []string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// reachedOverLAN reports whether the phone opened the check address on the
// local network: from a private address, or at one of this computer's LAN
// addresses (a LAN numbered with public addresses).
func reachedOverLAN(c app.ReachCheck, lan []string) bool {
	if c.FromLAN() {
		return true
	}
	for _, base := range lan {
		if strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://") == c.HitHost {
			return true
		}
	}
	return false
}

// lanExample names this computer's LAN address for the explanation, or
// says how to find it when none was found.
func lanExample(ctx context.Context, r console.Reach) string {
	if len(r.LAN) > 0 {
		return tr(ctx, "这台电脑的是 ", "this computer's is ") + r.LAN[0]
	}
	return tr(ctx, "没有找到：连上 Wi-Fi 或网线后刷新本页", "none found: connect to Wi-Fi or a cable and reload")
}
