package gateway

import (
	"context"
	"strconv"
	"time"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/money"
)

// tuningField ties a rule's form field, config key and database row together.
type tuningField struct {
	form, config, stored string
	text                 func(app.Tuning) string         // as stored
	parse                func(*app.Tuning, string) error // from stored
}

// Setting keys of the tuning values.
const (
	keyLifetime    = "tuning.order_lifetime"
	keyMinAmount   = "tuning.min_amount"
	keyMaxAmount   = "tuning.max_amount"
	keySlotMode    = "tuning.slot_mode"
	keySlotOffset  = "tuning.slot_max_offset"
	keyWindow      = "tuning.match_window"
	keyGrace       = "tuning.match_grace"
	keyAutoConfirm = "tuning.auto_confirm"
)

var tuningFields = []tuningField{
	{"orderLifetime", "order.lifetime", keyLifetime,
		func(t app.Tuning) string { return t.OrderLifetime.String() },
		func(t *app.Tuning, s string) (err error) { t.OrderLifetime, err = time.ParseDuration(s); return }},
	{"minAmount", "order.min_amount", keyMinAmount,
		func(t app.Tuning) string { return t.MinAmount.String() },
		func(t *app.Tuning, s string) (err error) { t.MinAmount, err = money.ParseYuan(s); return }},
	{"maxAmount", "order.max_amount", keyMaxAmount,
		func(t app.Tuning) string { return t.MaxAmount.String() },
		func(t *app.Tuning, s string) (err error) { t.MaxAmount, err = money.ParseYuan(s); return }},
	{"slotMode", "order.slot_mode", keySlotMode,
		func(t app.Tuning) string { return string(t.Slots.Mode) },
		func(t *app.Tuning, s string) error { t.Slots.Mode = app.SlotMode(s); return nil }},
	{"slotMaxOffset", "order.slot_max_offset", keySlotOffset,
		func(t app.Tuning) string { return t.Slots.MaxOffset.String() },
		func(t *app.Tuning, s string) (err error) { t.Slots.MaxOffset, err = money.ParseYuan(s); return }},
	{"matchWindow", "match.window", keyWindow,
		func(t app.Tuning) string { return t.Match.Window.String() },
		func(t *app.Tuning, s string) (err error) { t.Match.Window, err = time.ParseDuration(s); return }},
	{"matchGrace", "match.grace", keyGrace,
		func(t app.Tuning) string { return t.Match.Grace.String() },
		func(t *app.Tuning, s string) (err error) { t.Match.Grace, err = time.ParseDuration(s); return }},
	{"autoConfirm", "match.auto_confirm", keyAutoConfirm,
		func(t app.Tuning) string { return string(t.Match.AutoConfirm) },
		func(t *app.Tuning, s string) error { t.Match.AutoConfirm = app.Confidence(s); return nil }},
}

func tuningFieldOf(form string) (tuningField, bool) {
	for _, f := range tuningFields {
		if f.form == form {
			return f, true
		}
	}
	return tuningField{}, false
}

// Tuning returns the rules in force.
func (g *Gateway) Tuning() app.Tuning { return g.tuning.Load().Tuning }

// TuningState returns the rules in force and where each value comes from.
func (g *Gateway) TuningState() console.TuningState { return *g.tuning.Load() }

// LoadTuning puts the values saved in the console in force, except those
// pinned by config.yaml or the environment and those that clash with others
// (logged, and shown on the settings page); then loads the API-key switch.
func (g *Gateway) LoadTuning(ctx context.Context) error {
	stored, err := g.db.SettingValues(ctx, "tuning.")
	if err != nil {
		return err
	}
	st := g.resolveTuning(stored)
	for field, why := range st.SetAside {
		f, _ := tuningFieldOf(field)
		if why == nil {
			g.log.Warn("a rule saved in the console is not in force: config.yaml or the environment pins it; remove it there to use the console's value",
				"key", f.config, "pinned_by", st.Sources[field].Describe("en"), "saved", f.text(st.Saved), "in_force", f.text(st.Tuning))
		} else {
			g.log.Warn("a rule saved in the console is not in force: it clashes with the others; save the settings page again",
				"key", f.config, "saved", f.text(st.Saved), "in_force", f.text(st.Tuning), "reason", why.En)
		}
	}
	g.tuning.Store(&st)
	if err := g.loadPublicAddress(ctx); err != nil {
		return err
	}
	return g.loadAPIKeyForwarding(ctx)
}

// resolveTuning combines the defaults, the pinned values and the values
// stored by the console into the state in force.
func (g *Gateway) resolveTuning(stored map[string]string) console.TuningState {
	st := console.TuningState{Tuning: g.defaults, Saved: g.defaults, Sources: map[string]app.Source{}, SetAside: map[string]*app.Error{},
		ConfigKeys: tuningConfigKeys}
	for _, f := range tuningFields {
		st.Sources[f.form] = g.pinned[f.config]
		v, ok := stored[f.stored]
		if !ok {
			continue
		}
		if err := f.parse(&st.Saved, v); err != nil {
			g.log.Warn("ignoring an unreadable stored setting", "key", f.stored, "value", v, "err", err)
			continue
		}
		if st.Sources[f.form].Pinned() {
			st.SetAside[f.form] = nil
			continue
		}
		_ = f.parse(&st.Tuning, v)
		st.Sources[f.form] = app.Source{Kind: app.SourceConsole}
	}
	// Set aside, one by one, the console values that clash with the others
	// (a pinned lifetime longer than a saved window, a saved grace of 0 …).
	fromConsole := func(form string) bool { return st.Sources[form].Kind == app.SourceConsole }
	for range tuningFields {
		err := validateTuning(st.Tuning, st.Sources, fromConsole)
		if err == nil {
			return st
		}
		f, ok := tuningFieldOf(err.Field)
		if !ok || !fromConsole(f.form) {
			break
		}
		_ = f.parse(&st.Tuning, f.text(g.defaults))
		st.Sources[f.form] = g.pinned[f.config]
		st.SetAside[f.form] = err
	}
	// The defaults and pinned values alone: config.LoadOrCreate has checked them together.
	for _, f := range tuningFields {
		if fromConsole(f.form) {
			st.SetAside[f.form] = app.NewError(app.EINVALID, f.form, "与其他规则冲突。", "It clashes with the other rules.")
			st.Sources[f.form] = g.pinned[f.config]
		}
	}
	st.Tuning = g.defaults
	return st
}

// updateTuning validates t, stores the values that are not pinned and puts
// them in force. Pinned values keep what config.yaml or the environment says.
func (g *Gateway) updateTuning(ctx context.Context, t app.Tuning) error {
	g.tuningMu.Lock()
	defer g.tuningMu.Unlock()
	cur := g.TuningState()
	for _, f := range tuningFields {
		if cur.Sources[f.form].Pinned() {
			_ = f.parse(&t, f.text(cur.Tuning))
		}
	}
	free := func(form string) bool { return !cur.Sources[form].Pinned() }
	if err := validateTuning(t, cur.Sources, free); err != nil {
		return err
	}
	// Store what the console changed (or had saved before), so a value left
	// alone stays the default rather than frozen.
	next := console.TuningState{Tuning: t, Saved: cur.Saved, Sources: map[string]app.Source{}, SetAside: map[string]*app.Error{},
		ConfigKeys: tuningConfigKeys}
	rows := map[string]string{}
	for _, f := range tuningFields {
		src := cur.Sources[f.form]
		_, hasRow := cur.SetAside[f.form]
		switch {
		case src.Pinned():
			if hasRow {
				next.SetAside[f.form] = nil
			}
		case src.Kind == app.SourceConsole || hasRow || f.text(t) != f.text(g.defaults):
			rows[f.stored] = f.text(t)
			_ = f.parse(&next.Saved, f.text(t))
			src = app.Source{Kind: app.SourceConsole}
		}
		next.Sources[f.form] = src
	}
	if len(rows) > 0 {
		if err := g.db.PutSettings(ctx, rows); err != nil {
			return err
		}
	}
	g.tuning.Store(&next)
	return nil
}

// validateTuning checks each value the console may change (free) and the
// pairs that would silently break matching. A pair's error names the free
// value, so the person knows which one to change.
func validateTuning(t app.Tuning, src map[string]app.Source, free func(form string) bool) *app.Error {
	check := func(form string, bad bool, zh, en string) *app.Error {
		if free(form) && bad {
			return app.NewError(app.EINVALID, form, zh, en)
		}
		return nil
	}
	for _, e := range []*app.Error{
		check("orderLifetime", t.OrderLifetime < time.Minute || t.OrderLifetime > 24*time.Hour,
			"订单有效期需要在 1 到 1440 分钟（24 小时）之间。", "The order lifetime must be between 1 and 1440 minutes (24 hours)."),
		check("minAmount", t.MinAmount < 1, "最小金额至少 0.01 元。", "The minimum amount is at least 0.01 yuan."),
		check("maxAmount", t.MaxAmount > 100_000_000,
			"最大金额不能超过 1000000 元。", "The maximum amount must be at most 1000000 yuan."),
		check("slotMode", t.Slots.Mode != app.SlotAlternate && t.Slots.Mode != app.SlotUp && t.Slots.Mode != app.SlotDown,
			"金额调整方式只能是上下交替（alternate）、只往上（up）或只往下（down）。", "The slot mode must be alternate, up or down."),
		check("slotMaxOffset", t.Slots.MaxOffset < 0 || t.Slots.MaxOffset > 10000,
			"金额最大调整幅度需要在 0 到 100 元之间。", "The largest amount adjustment must be between 0 and 100 yuan."),
		check("matchWindow", t.Match.Window < time.Minute || t.Match.Window > 24*time.Hour,
			"自动匹配时限需要在 1 到 1440 分钟（24 小时）之间。", "The match window must be between 1 and 1440 minutes (24 hours)."),
		check("matchGrace", t.Match.Grace < time.Minute || t.Match.Grace > 24*time.Hour,
			"订单结束后的缓冲时间需要在 1 到 1440 分钟之间：订单付款、过期或关闭后，它的金额要空出这么久才给新订单，"+
				"这样旧订单迟到或重复的到账通知不会付到新订单上。",
			"The grace period must be between 1 and 1440 minutes: an amount freed by a paid, expired or closed order "+
				"is not given to a new order for this long, so a late or repeated notification for the old order never pays the new one."),
		check("autoConfirm", t.Match.AutoConfirm != app.ConfidenceHigh && t.Match.AutoConfirm != app.ConfidenceMedium && t.Match.AutoConfirm != app.ConfidenceLow,
			"自动确认只能选可信度高（high）、中（medium）或低（low）。", "The auto-confirm threshold must be high, medium or low."),
	} {
		if e != nil {
			return e
		}
	}
	if t.OrderLifetime > t.Match.Window {
		life, window := durationText(t.OrderLifetime), durationText(t.Match.Window)
		if free("orderLifetime") || !free("matchWindow") {
			return app.NewError(app.EINVALID, "orderLifetime",
				"订单有效期（"+life[0]+"）不能超过自动匹配时限（"+window[0]+"，"+src["matchWindow"].Describe("zh")+"）：下单超过这么久的订单，收到的钱永远不会自动匹配。"+
					"请把订单有效期改成不超过 "+window[0]+"，或把自动匹配时限也改成至少 "+life[0]+"。",
				"The order lifetime ("+life[1]+") must not exceed the match window ("+window[1]+", "+src["matchWindow"].Describe("en")+"): "+
					"a payment for an order older than the window never matches it. Set the lifetime to at most "+window[1]+", or the match window to at least "+life[1]+".")
		}
		return app.NewError(app.EINVALID, "matchWindow",
			"自动匹配时限（"+window[0]+"）不能短于订单有效期（"+life[0]+"，"+src["orderLifetime"].Describe("zh")+"）：下单超过这么久的订单，收到的钱永远不会自动匹配。"+
				"请把自动匹配时限改成至少 "+life[0]+"。",
			"The match window ("+window[1]+") must not be shorter than the order lifetime ("+life[1]+", "+src["orderLifetime"].Describe("en")+"): "+
				"a payment for an order older than the window never matches it. Set the match window to at least "+life[1]+".")
	}
	if t.MaxAmount < t.MinAmount {
		field := "maxAmount"
		if !free(field) {
			field = "minAmount"
		}
		return app.NewError(app.EINVALID, field,
			"最大金额（"+t.MaxAmount.Fixed2()+" 元）不能小于最小金额（"+t.MinAmount.Fixed2()+" 元）：否则没有金额能下单。",
			"The maximum amount ("+t.MaxAmount.Fixed2()+") must not be below the minimum ("+t.MinAmount.Fixed2()+"): no order could be created.")
	}
	return nil
}

// durationText is d for a person, in Chinese and English: whole minutes as
// minutes (the form's unit), anything else as Go writes it.
func durationText(d time.Duration) [2]string {
	if d%time.Minute == 0 {
		n := strconv.Itoa(int(d / time.Minute))
		return [2]string{n + " 分钟", n + " min"}
	}
	return [2]string{d.String(), d.String()}
}

// tuningConfigKeys are the config keys of the rules form's fields, for the
// settings page to say how to change a pinned value.
var tuningConfigKeys = func() map[string]string {
	keys := map[string]string{}
	for _, f := range tuningFields {
		keys[f.form] = f.config
	}
	return keys
}()
