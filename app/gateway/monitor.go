package gateway

import (
	"context"
	"strconv"
	"time"

	"paygate/app"
	"paygate/app/diskspace"
	"paygate/app/netguard"
)

// monitoredKinds are the incidents CheckAlerts decides: each check says
// which of its kind should be open now, and the rest are cleared. Others
// (backups, later features) are raised and cleared by whoever knows.
var monitoredKinds = []app.AlertKind{app.AlertDeviceSilent, app.AlertOrdersUnheard, app.AlertPaymentsWaiting,
	app.AlertCallbacksFailing, app.AlertDiskLow}

// alertRetention is how long cleared incidents stay in the console's log.
const alertRetention = 90 * 24 * time.Hour

// RunMonitor checks every interval whether something needs the owner,
// until ctx ends.
func (g *Gateway) RunMonitor(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var pruned time.Time
	for {
		if err := g.CheckAlerts(ctx); err != nil && ctx.Err() == nil {
			g.log.Error("checking for alerts", "err", err)
		}
		if time.Since(pruned) > time.Hour {
			pruned = time.Now()
			if _, err := g.db.PruneAlerts(ctx, g.db.Now().Add(-alertRetention)); err != nil && ctx.Err() == nil {
				g.log.Error("pruning old alerts", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CheckAlerts looks at the phones, the orders, the payments, the callbacks
// and the disk, and opens or clears the incidents they call for.
func (g *Gateway) CheckAlerts(ctx context.Context) error {
	now := g.db.Now()
	open, err := g.db.OpenIncidents(ctx)
	if err != nil {
		return err
	}
	want := map[app.AlertKind]map[string]string{}
	for _, k := range monitoredKinds {
		want[k] = map[string]string{}
	}
	devices, err := g.Devices(ctx)
	if err != nil {
		return err
	}
	for _, d := range devices {
		// Only phones that send heartbeats (the V免签 app) have a window to
		// miss: SmsForwarder sends only when a notification comes, so its
		// silence is the quiet-orders check's business.
		if d.LastHeartbeatAt.IsZero() || d.Online {
			continue
		}
		want[app.AlertDeviceSilent][strconv.FormatInt(d.ID, 10)] = "手机「" + d.Name + "」已经 " + minutesText(now.Sub(d.LastSeenAt)) + "没有心跳了（最后一次 " +
			app.FormatTime(d.LastSeenAt) + "）：收款通知可能收不到。请检查手机是否联网、V免签 监控端是否还在运行，并把它加入电池优化白名单、允许自启动。\n" +
			"The phone “" + d.Name + "” has sent no heartbeat since " + app.FormatTime(d.LastSeenAt) + ": payments may go unnoticed. " +
			"Check that it is online and the forwarder app still runs; exempt it from battery optimisation and allow it to start by itself."
	}
	if g.orderSilence > 0 && len(devices) > 0 {
		last, heard, err := g.db.LastPhoneNotification(ctx)
		if err != nil {
			return err
		}
		var since time.Time
		if heard {
			since = last.ReceivedAt
		}
		oldest, n, ok, err := g.db.OldestPendingOrderSince(ctx, since)
		if err != nil {
			return err
		}
		// Once open, the incident lasts until a phone is heard again, not
		// until the orders expire: that the orders gave up says nothing of
		// the phone, and one alert per silence is enough.
		for _, inc := range open {
			if inc.Kind == app.AlertOrdersUnheard && (!heard || since.Before(inc.OpenedAt)) {
				want[app.AlertOrdersUnheard][""] = inc.Text
			}
		}
		if ok && now.Sub(oldest) >= g.orderSilence {
			lastText, lastEn := "手机还从来没有发来过通知", "no phone has ever sent a notification"
			if heard {
				lastText, lastEn = "手机最后一条通知在 "+app.FormatTime(since), "the phone's last notification came at "+app.FormatTime(since)
			}
			want[app.AlertOrdersUnheard][""] = strconv.Itoa(n) + " 笔订单在等付款，最早的已经等了 " + minutesText(now.Sub(oldest)) + "，" + lastText +
				"。如果顾客已经付了钱，说明手机没有转发到账通知：请检查手机上的转发应用（通知权限、电池白名单、网络）。\n" +
				strconv.Itoa(n) + " orders wait for payment, the oldest for " + minutesEn(now.Sub(oldest)) + ", and " + lastEn +
				". If payers have paid, the phone is not forwarding: check the forwarder app (notification access, battery whitelist, network)."
		}
	}
	att, err := g.db.Attention(ctx)
	if err != nil {
		return err
	}
	unmatched, failing := att.Unmatched, att.CallbacksFailing
	if unmatched > 0 {
		want[app.AlertPaymentsWaiting][""] = strconv.Itoa(unmatched) + " 笔收款已经到账，但 paygate 不能确定属于哪个订单，等你在后台“收款”页确认。\n" +
			strconv.Itoa(unmatched) + " payments have arrived that paygate cannot match to an order: confirm them on the console's Payments page."
	}
	if failing > 0 {
		if err := g.failingTargets(ctx, want[app.AlertCallbacksFailing]); err != nil {
			return err
		}
	}
	if g.diskMinFree > 0 && g.dataDir != "" {
		if free, ok := diskspace.Free(g.dataDir); ok && free < uint64(g.diskMinFree) {
			want[app.AlertDiskLow][""] = "数据目录所在的磁盘只剩 " + sizeText(free) + "：写满后 paygate 无法记录订单和收款。请清理磁盘或换一个更大的数据目录。\n" +
				"Only " + sizeText(free) + " is left on the data directory's disk: once it is full paygate cannot record orders and payments. Free some space."
		}
	}
	return g.reconcileAlerts(ctx, open, want)
}

// failingTargets adds an incident per destination host whose callbacks fail.
func (g *Gateway) failingTargets(ctx context.Context, want map[string]string) error {
	targets, err := g.db.FailingCallbackTargets(ctx)
	if err != nil {
		return err
	}
	s, err := g.db.Settings(ctx)
	if err != nil {
		return err
	}
	byHost := map[string]int{}
	for _, t := range targets {
		u := t.URL
		if u == "" {
			u = s.CallbackURL
		}
		host := netguard.URLHost(u)
		if host == "" {
			// No callback URL at all (a shop selling through payment links
			// only): nobody is waiting for these callbacks.
			continue
		}
		byHost[host] += t.Failing
	}
	for host, n := range byHost {
		want[host] = strconv.Itoa(n) + " 个发往 " + host + " 的支付回调失败了：商城没有确认收到，订单在商城里可能还显示未支付。请到后台“回调”页查看原因，修好后点“重新发送”。\n" +
			strconv.Itoa(n) + " callbacks to " + host + " are failing: the shop did not acknowledge them, so it may still show the orders unpaid. " +
			"See why on the console's Callbacks page and resend them once fixed."
	}
	return nil
}

// reconcileAlerts opens the incidents in want and clears the open ones of
// the monitored kinds that are not.
func (g *Gateway) reconcileAlerts(ctx context.Context, open []app.AlertIncident, want map[app.AlertKind]map[string]string) error {
	isOpen := map[app.AlertKind]map[string]bool{}
	for _, inc := range open {
		if isOpen[inc.Kind] == nil {
			isOpen[inc.Kind] = map[string]bool{}
		}
		isOpen[inc.Kind][inc.Key] = true
		keys, monitored := want[inc.Kind]
		if _, still := keys[inc.Key]; monitored && !still {
			if err := g.Clear(ctx, inc.Kind, inc.Key); err != nil {
				return err
			}
		}
	}
	for _, kind := range monitoredKinds {
		for key, text := range want[kind] {
			if isOpen[kind][key] {
				continue // already open: no write every check
			}
			if err := g.Raise(ctx, kind, key, text); err != nil {
				return err
			}
		}
	}
	return nil
}

func minutesText(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d/time.Second)) + " 秒"
	}
	return strconv.Itoa(int(d/time.Minute)) + " 分钟"
}

func minutesEn(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d/time.Second)) + " s"
	}
	return strconv.Itoa(int(d/time.Minute)) + " min"
}

func sizeText(b uint64) string {
	const mb = 1 << 20
	if b < 1024*mb {
		return strconv.FormatUint(b/mb, 10) + " MB"
	}
	return strconv.FormatFloat(float64(b)/(1024*mb), 'f', 1, 64) + " GB"
}
