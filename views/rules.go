package views

import (
	"context"
	"time"

	"github.com/a-h/templ"

	"paygate/app"
	"paygate/app/console"
)

// TuningData is the order and matching rules section: the rules in force and
// where each comes from; after a refused save, what was typed and why.
type TuningData struct {
	State console.TuningState
	Typed *console.TuningForm
	Err   error
}

// ruleDuration: a duration field (minutes in the form).
func ruleDuration(field string) bool {
	return field == "orderLifetime" || field == "matchWindow" || field == "matchGrace"
}

func rulePinned(d TuningData, field string) bool { return d.State.Source(field).Pinned() }

// ruleValue is what a field shows: what was typed after a refused save, else
// the value in force.
func ruleValue(d TuningData, field string) string {
	if d.Typed != nil && !rulePinned(d, field) {
		f := d.Typed
		return map[string]string{
			"orderLifetime": f.OrderLifetimeMinutes, "matchWindow": f.MatchWindowMinutes, "matchGrace": f.MatchGraceMinutes,
			"minAmount": f.MinAmount, "maxAmount": f.MaxAmount, "slotMode": f.SlotMode, "slotMaxOffset": f.SlotMaxOffset,
			"autoConfirm": f.AutoConfirm,
		}[field]
	}
	return ruleText(d.State.Tuning, field)
}

// ruleText is field's value in t as the form writes it.
func ruleText(t app.Tuning, field string) string {
	switch field {
	case "orderLifetime":
		return formMinutes(t.OrderLifetime)
	case "matchWindow":
		return formMinutes(t.Match.Window)
	case "matchGrace":
		return formMinutes(t.Match.Grace)
	case "minAmount":
		return t.MinAmount.Fixed2()
	case "maxAmount":
		return t.MaxAmount.Fixed2()
	case "slotMaxOffset":
		return t.Slots.MaxOffset.Fixed2()
	case "slotMode":
		return string(t.Slots.Mode)
	case "autoConfirm":
		return string(t.Match.AutoConfirm)
	}
	return ""
}

// formMinutes is d in whole minutes, or as Go writes it when it is not (a
// pinned test value like 4s).
func formMinutes(d time.Duration) string {
	if d%time.Minute != 0 {
		return d.String()
	}
	return minutesOf(d)
}

// ruleInputType is number for minutes, text for a pinned odd duration.
func ruleInputType(d TuningData, field string) string {
	if v := ruleValue(d, field); rulePinned(d, field) && v != "" && (v[len(v)-1] < '0' || v[len(v)-1] > '9') {
		return "text"
	}
	return "number"
}

// ruleAttrs marks a pinned field read-only (lock: readonly or disabled) and
// the field a refused save is about invalid.
func ruleAttrs(d TuningData, field, lock string) templ.Attributes {
	a := templ.Attributes{}
	if rulePinned(d, field) {
		a[lock] = true
	}
	if ruleErrField(d) == field {
		a["aria-invalid"] = "true"
		a["aria-describedby"] = field + "-err"
	}
	return a
}

func ruleErrField(d TuningData) string {
	if d.Err == nil {
		return ""
	}
	return app.ErrorField(d.Err)
}

// ruleSource says where field's value comes from and, when pinned, how to
// change it.
func ruleSource(ctx context.Context, d TuningData, field string) string {
	s := d.State.Source(field)
	switch s.Kind {
	case app.SourceEnv:
		return tr(ctx, s.Describe("zh")+"（只读：要在这里修改，先去掉这个环境变量并重启 paygate）",
			s.Describe("en")+" (read-only: to change it here, remove the variable and restart paygate)")
	case app.SourceFile:
		key := d.State.ConfigKey(field)
		return tr(ctx, s.Describe("zh")+"（只读：要在这里修改，先删掉其中的 "+key+" 并重启 paygate）",
			s.Describe("en")+" (read-only: to change it here, remove "+key+" from it and restart paygate)")
	}
	return s.Describe(Lang(ctx))
}

// ruleSetAside says why a value saved in the console is not in force; "" if
// there is none.
func ruleSetAside(ctx context.Context, d TuningData, field string) string {
	why, ok := d.State.SetAside[field]
	if !ok {
		return ""
	}
	saved := ruleText(d.State.Saved, field)
	if ruleDuration(field) {
		saved += tr(ctx, " 分钟", " min")
	}
	if why == nil {
		return tr(ctx, "在控制台保存的 "+saved+" 没有生效：上面的设置优先。", "The "+saved+" saved in the console is not in force: the setting above wins.")
	}
	return tr(ctx, "在控制台保存的 "+saved+" 没有生效：", "The "+saved+" saved in the console is not in force: ") + app.ErrorMessage(why, Lang(ctx))
}

// ruleClash: some saved values were set aside at start because they clash.
func ruleClash(d TuningData) bool {
	for _, why := range d.State.SetAside {
		if why != nil {
			return true
		}
	}
	return false
}

// errorText is err's message in the page's language.
func errorText(ctx context.Context, err error) string { return app.ErrorMessage(err, Lang(ctx)) }

// pairedPhone is a device with its own key that has been heard from.
func pairedPhone(devices []app.Device) (app.Device, bool) {
	for _, d := range devices {
		if !d.UsesAPIKey && !d.LastSeenAt.IsZero() {
			return d, true
		}
	}
	return app.Device{}, false
}

// apiKeyPhone is the device that stands for forwarders using the API key.
func apiKeyPhone(devices []app.Device) (app.Device, bool) {
	for _, d := range devices {
		if d.UsesAPIKey {
			return d, true
		}
	}
	return app.Device{}, false
}

// forwardingSourceText says where the API-key switch is set, and a console
// value that a pinned one overrides.
func forwardingSourceText(ctx context.Context, f console.APIKeyForwarding) string {
	s := f.Source.Describe(Lang(ctx))
	if f.Source.Pinned() {
		s += tr(ctx, "（forwarder.accept_api_key，只读：要在后台修改，先去掉它并重启 paygate）",
			" (forwarder.accept_api_key, read-only: to change it here, remove it and restart paygate)")
	}
	if f.Saved != nil && *f.Saved != f.On {
		s += tr(ctx, "。在后台保存的设置没有生效。", ". The console's setting is not in force.")
	}
	return s
}
