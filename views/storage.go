package views

import (
	"context"
	"strconv"
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
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + suffix
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

func int64Text(n int64) string { return strconv.FormatInt(n, 10) }
