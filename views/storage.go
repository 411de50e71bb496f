package views

import (
	"context"
	"strconv"
	"strings"
	"time"

	"paygate/app"
)

// byteSize writes a size for people: 512 B, 3.2 KB, 45.6 MB, 1.2 GB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, suffix := float64(n)/unit, "KB"
	for _, s := range []string{"MB", "GB", "TB"} {
		if v < unit {
			break
		}
		v, suffix = v/unit, s
	}
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + " " + suffix
}

// storedOutcome is one line of the stored requests' table.
type storedOutcome struct {
	Outcome app.NotificationOutcome
	Size    app.StoredSize
}

// storedOutcomes lists what is stored by outcome, in the tabs' order.
func storedOutcomes(st app.NotificationStorage) []storedOutcome {
	var out []storedOutcome
	for _, o := range []app.NotificationOutcome{app.OutcomePayment, app.OutcomeIgnored, app.OutcomeDuplicate,
		app.OutcomeRefused, app.OutcomeInvalid, app.OutcomeError, app.OutcomeReceived} {
		if s, ok := st.ByOutcome[o]; ok {
			out = append(out, storedOutcome{o, s})
		}
	}
	return out
}

// retentionText says how long requests that made no payment are kept.
func retentionText(ctx context.Context, d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d <= 0:
		return tr(ctx, "永久保存", "kept forever")
	case d%day == 0:
		n := strconv.FormatInt(int64(d/day), 10)
		return tr(ctx, "保存 "+n+" 天后删除", "deleted after "+n+" days")
	}
	n := strconv.FormatInt(int64(d/time.Hour), 10)
	return tr(ctx, "保存 "+n+" 小时后删除", "deleted after "+n+" hours")
}

// keptText says what is kept of the stored requests, and what is there now
// of those without a valid key.
func keptText(ctx context.Context, st app.NotificationStorage) string {
	l, s := st.Limits, st.Strangers
	return tr(ctx,
		"没有有效密钥的请求（被拒绝、无法读取）每条只保存开头 "+byteSize(int64(l.CutTo))+"，且只留最新的 "+int64Text(l.MaxRequests)+
			" 条（最多 "+byteSize(l.MaxBytes)+"），现有 "+int64Text(s.Requests)+" 条、"+byteSize(s.Bytes)+"。",
		"Requests without a valid key (refused, unreadable) keep only their first "+byteSize(int64(l.CutTo))+", and only the newest "+
			int64Text(l.MaxRequests)+" stay (at most "+byteSize(l.MaxBytes)+"); now "+int64Text(s.Requests)+", "+byteSize(s.Bytes)+". ") +
		tr(ctx, "没有产生收款的请求", "Requests that made no payment are ") + retentionText(ctx, st.Retention) +
		tr(ctx, "（config.yaml 的 notifications.retention）；产生收款的请求随收款一直保留。",
			" (notifications.retention in config.yaml); those that made a payment are kept with it.")
}

func int64Text(n int64) string { return strconv.FormatInt(n, 10) }
