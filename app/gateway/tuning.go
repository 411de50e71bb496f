package gateway

import (
	"context"
	"fmt"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// Tuning are the order and matching rules a shop owner may change at run
// time on the settings page. config.yaml gives the defaults; changes are kept
// in the database and win over it.
type Tuning struct {
	OrderLifetime time.Duration
	MinAmount     money.Fen
	MaxAmount     money.Fen
	Slots         app.SlotPolicy
	Match         app.MatchPolicy
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

// Tuning returns the rules in force.
func (g *Gateway) Tuning() Tuning { return *g.tuning.Load() }

// LoadTuning applies the values stored in the database over the defaults.
// Unreadable stored values are skipped (and logged): the defaults still work.
func (g *Gateway) LoadTuning(ctx context.Context) error {
	stored, err := g.db.SettingValues(ctx, "tuning.")
	if err != nil {
		return err
	}
	t := g.Tuning()
	for k, v := range stored {
		var err error
		switch k {
		case keyLifetime:
			t.OrderLifetime, err = time.ParseDuration(v)
		case keyWindow:
			t.Match.Window, err = time.ParseDuration(v)
		case keyGrace:
			t.Match.Grace, err = time.ParseDuration(v)
		case keyMinAmount:
			t.MinAmount, err = money.ParseYuan(v)
		case keyMaxAmount:
			t.MaxAmount, err = money.ParseYuan(v)
		case keySlotOffset:
			t.Slots.MaxOffset, err = money.ParseYuan(v)
		case keySlotMode:
			t.Slots.Mode = app.SlotMode(v)
		case keyAutoConfirm:
			t.Match.AutoConfirm = app.Confidence(v)
		}
		if err != nil {
			g.log.Warn("ignoring unreadable stored setting", "key", k, "value", v, "err", err)
		}
	}
	if err := validateTuning(t); err != nil {
		g.log.Warn("stored settings are not valid; using config.yaml values", "err", err)
		return nil
	}
	g.tuning.Store(&t)
	return nil
}

// UpdateTuning validates t, stores it and puts it in force.
func (g *Gateway) UpdateTuning(ctx context.Context, t Tuning) error {
	if err := validateTuning(t); err != nil {
		return err
	}
	err := g.db.PutSettings(ctx, map[string]string{
		keyLifetime:    t.OrderLifetime.String(),
		keyMinAmount:   t.MinAmount.String(),
		keyMaxAmount:   t.MaxAmount.String(),
		keySlotMode:    string(t.Slots.Mode),
		keySlotOffset:  t.Slots.MaxOffset.String(),
		keyWindow:      t.Match.Window.String(),
		keyGrace:       t.Match.Grace.String(),
		keyAutoConfirm: string(t.Match.AutoConfirm),
	})
	if err != nil {
		return err
	}
	g.tuning.Store(&t)
	return nil
}

func validateTuning(t Tuning) error {
	switch {
	case t.OrderLifetime < time.Minute || t.OrderLifetime > 24*time.Hour:
		return app.Errorf(app.EINVALID, "orderLifetime",
			"订单有效期需要在 1 分钟到 24 小时之间。", "The order lifetime must be between 1 minute and 24 hours.")
	case t.MinAmount < 1:
		return app.Errorf(app.EINVALID, "minAmount", "最小金额至少 0.01 元。", "The minimum amount is at least 0.01 yuan.")
	case t.MaxAmount < t.MinAmount || t.MaxAmount > 100_000_000:
		return app.Errorf(app.EINVALID, "maxAmount",
			"最大金额不能小于最小金额，也不能超过 1000000 元。", "The maximum amount must be at least the minimum and at most 1000000 yuan.")
	case t.Slots.Mode != app.SlotAlternate && t.Slots.Mode != app.SlotUp && t.Slots.Mode != app.SlotDown:
		return app.Errorf(app.EINVALID, "slotMode", "金额调整方式只能是 alternate、up 或 down。", "The slot mode must be alternate, up or down.")
	case t.Slots.MaxOffset < 0 || t.Slots.MaxOffset > 10000:
		return app.Errorf(app.EINVALID, "slotMaxOffset",
			"金额最大调整幅度需要在 0 到 100 元之间。", "The largest amount adjustment must be between 0 and 100 yuan.")
	case t.Match.Window < time.Minute || t.Match.Window > 24*time.Hour:
		return app.Errorf(app.EINVALID, "matchWindow", "匹配时间窗口需要在 1 分钟到 24 小时之间。", "The match window must be between 1 minute and 24 hours.")
	case t.Match.Grace < 0 || t.Match.Grace > 24*time.Hour:
		return app.Errorf(app.EINVALID, "matchGrace", "过期宽限期需要在 0 到 24 小时之间。", "The grace period must be between 0 and 24 hours.")
	case t.Match.AutoConfirm != app.ConfidenceHigh && t.Match.AutoConfirm != app.ConfidenceMedium && t.Match.AutoConfirm != app.ConfidenceLow:
		return app.Errorf(app.EINVALID, "autoConfirm",
			"自动确认阈值只能是 high、medium 或 low。", "The auto-confirm threshold must be high, medium or low.")
	}
	return nil
}

// String describes t for logs.
func (t Tuning) String() string {
	return fmt.Sprintf("lifetime=%s amounts=%s..%s slots=%s±%s window=%s grace=%s auto=%s",
		t.OrderLifetime, t.MinAmount, t.MaxAmount, t.Slots.Mode, t.Slots.MaxOffset, t.Match.Window, t.Match.Grace, t.Match.AutoConfirm)
}
