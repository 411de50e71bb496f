package gateway

import (
	"context"
	"strconv"
	"strings"

	"paygate/app"
	"paygate/app/console"
)

const (
	configAcceptAPIKey = "forwarder.accept_api_key" // the config key
	keyAcceptAPIKey    = "forwarder.accept_api_key" // the settings row
)

// APIKeyForwarding returns the switch in force.
func (g *Gateway) APIKeyForwarding() console.APIKeyForwarding { return *g.apiKeyFwd.Load() }

// loadAPIKeyForwarding puts the console's value in force unless config pins it.
func (g *Gateway) loadAPIKeyForwarding(ctx context.Context) error {
	stored, err := g.db.SettingValues(ctx, keyAcceptAPIKey)
	if err != nil {
		return err
	}
	f := console.APIKeyForwarding{On: g.apiKeyDflt, Source: g.pinned[configAcceptAPIKey]}
	if v, ok := stored[keyAcceptAPIKey]; ok {
		on, err := strconv.ParseBool(v)
		switch {
		case err != nil:
			g.log.Warn("ignoring an unreadable stored setting", "key", keyAcceptAPIKey, "value", v)
		case f.Source.Pinned():
			f.Saved = &on
			if on != f.On {
				g.log.Warn("the console's switch for the API key as a phone key is not in force: config.yaml or the environment pins it",
					"key", configAcceptAPIKey, "pinned_by", f.Source.Describe("en"), "in_force", f.On)
			}
		default:
			f.On, f.Source = on, app.Source{Kind: app.SourceConsole}
		}
	}
	if f.On {
		g.log.Info("the merchant API key is accepted as a phone's key; switch this off on the Devices page once the phone has its own key",
			"set", f.Source.Describe("en"))
	}
	g.apiKeyFwd.Store(&f)
	return nil
}

// SetAPIKeyForwarding turns the API key as a phone key "on" or "off" from
// the console, and records who did it.
func (g *Gateway) SetAPIKeyForwarding(ctx context.Context, accept, by string) error {
	var on bool
	switch strings.TrimSpace(accept) {
	case "on":
		on = true
	case "off":
	default:
		return app.NewError(app.EINVALID, "accept", "accept 只能是 on 或 off。", "accept must be on or off.")
	}
	g.tuningMu.Lock()
	defer g.tuningMu.Unlock()
	cur := g.APIKeyForwarding()
	if cur.Source.Pinned() {
		return app.NewError(app.ECONFLICT, "accept",
			"这个开关"+cur.Source.Describe("zh")+"，后台不能修改：请修改 forwarder.accept_api_key（环境变量 PAYGATE_FORWARDER_ACCEPT_API_KEY）后重启 paygate，或删掉它改由后台控制。",
			"This switch is "+cur.Source.Describe("en")+" and cannot be changed here: change forwarder.accept_api_key (PAYGATE_FORWARDER_ACCEPT_API_KEY) and restart paygate, or remove it to control it here.")
	}
	if err := g.db.PutSettings(ctx, map[string]string{keyAcceptAPIKey: strconv.FormatBool(on)}); err != nil {
		return err
	}
	g.apiKeyFwd.Store(&console.APIKeyForwarding{On: on, Source: app.Source{Kind: app.SourceConsole}})
	action := app.AuditAPIKeyForwardingOff
	if on {
		action = app.AuditAPIKeyForwardingOn
	}
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: action, Detail: "forwarder.accept_api_key=" + strconv.FormatBool(on)})
}

// errAPIKeyNotForPhones refuses a forwarder request made with the merchant
// API key once the owner has switched that off.
func errAPIKeyNotForPhones() error {
	return app.NewError(app.EUNAUTHORIZED, "key",
		"商户 API 密钥已不再被接受为手机密钥（店主关闭了这个用法）：请在手机的转发应用里改用管理后台“设备”页里这台设备的密钥（SmsForwarder 的 secret、V免签 的密钥同样）。",
		"The merchant API key is no longer accepted from phones (the owner switched this off): in the forwarder app use this phone's device key from the admin Devices page (also as the SmsForwarder secret or the V免签 key).")
}
