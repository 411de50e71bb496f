package console

import "paygate/app"

// TuningState is the rules in force and where each value comes from, for the
// settings page. Fields are named by the form's field names (orderLifetime,
// matchWindow …).
type TuningState struct {
	app.Tuning // in force
	// Sources say where each value in force comes from.
	Sources map[string]app.Source
	// Saved are the values saved in the console, the defaults where none is.
	Saved app.Tuning
	// SetAside lists the saved values that are not in force: with a nil
	// reason because config.yaml or the environment pins the value, else the
	// clash with other values that made paygate set it aside at start.
	SetAside map[string]*app.Error
	// ConfigKeys are the config keys of the form's fields (orderLifetime:
	// order.lifetime …), for saying how to change a pinned value.
	ConfigKeys map[string]string
}

// Source is where the value of form field comes from.
func (s TuningState) Source(field string) app.Source { return s.Sources[field] }

// ConfigKey is the config key of a rules form field, e.g. order.lifetime.
func (s TuningState) ConfigKey(field string) string { return s.ConfigKeys[field] }

// TuningForm is the order and matching section of the settings page, as text.
type TuningForm struct {
	OrderLifetimeMinutes string
	MinAmount, MaxAmount string
	SlotMode             string
	SlotMaxOffset        string
	MatchWindowMinutes   string
	MatchGraceMinutes    string
	AutoConfirm          string
}

// APIKeyForwarding is whether the merchant API key is accepted wherever a
// phone's device key is (the key header, the SmsForwarder secret, the V免签
// key), so a one-phone shop needs one secret and the guide's flow works; and
// where that is set. Once a phone has its own key, the owner switches it off.
type APIKeyForwarding struct {
	On     bool
	Source app.Source // default, the console, or pinned by config.yaml or the environment
	// Saved is the console's value when a pinned one overrides it.
	Saved *bool
}
