package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strconv"
	"strings"
	"unicode/utf8"

	"paygate/app"
	"paygate/app/forward"
)

// apiKeyDeviceName names the device that stands for forwarders using the merchant API key.
const apiKeyDeviceName = "使用商户 API 密钥的手机"

// Devices lists the forwarders with their online state.
func (g *Gateway) Devices(ctx context.Context) ([]app.Device, error) {
	list, err := g.db.Devices(ctx)
	if err != nil {
		return nil, err
	}
	now := g.db.Now()
	for i := range list {
		list[i].Online = !list[i].LastSeenAt.IsZero() && now.Sub(list[i].LastSeenAt) <= g.offlineAfter
	}
	return list, nil
}

// Device returns one forwarder with its online state.
func (g *Gateway) Device(ctx context.Context, id int64) (app.Device, error) {
	list, err := g.Devices(ctx)
	if err != nil {
		return app.Device{}, err
	}
	for _, d := range list {
		if d.ID == id {
			return d, nil
		}
	}
	return app.Device{}, app.NewError(app.ENOTFOUND, "deviceId",
		"设备 #"+strconv.FormatInt(id, 10)+" 不存在：它可能已被删除，请刷新页面。",
		"Device #"+strconv.FormatInt(id, 10)+" does not exist: it may have been deleted; reload the page.")
}

func deviceSubject(id int64) string { return "device#" + strconv.FormatInt(id, 10) }

// CreateDevice adds a forwarder with a new random key; by is who asked (an
// admin's name or "api"), recorded in the audit log.
func (g *Gateway) CreateDevice(ctx context.Context, name, by string) (app.Device, error) {
	name, err := validDeviceName(name)
	if err != nil {
		return app.Device{}, err
	}
	d, err := g.db.CreateDevice(ctx, name, newDeviceKey())
	if err != nil {
		return d, err
	}
	return d, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditDeviceCreate, Subject: deviceSubject(d.ID), Detail: d.Name})
}

// RenameDevice changes a forwarder's name; by is who asked.
func (g *Gateway) RenameDevice(ctx context.Context, id int64, name, by string) (app.Device, error) {
	name, err := validDeviceName(name)
	if err != nil {
		return app.Device{}, err
	}
	d, err := g.db.RenameDevice(ctx, id, name)
	if err != nil {
		return d, err
	}
	return d, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditDeviceRename, Subject: deviceSubject(id), Detail: d.Name})
}

// RotateDeviceKey gives a forwarder a new key; the old one stops working.
// by is who asked.
func (g *Gateway) RotateDeviceKey(ctx context.Context, id int64, by string) (app.Device, error) {
	d, err := g.db.Device(ctx, id)
	if err != nil {
		return d, err
	}
	if d.UsesAPIKey {
		return d, app.NewError(app.ECONFLICT, "deviceId",
			"这台设备使用商户 API 密钥，没有单独的设备密钥：请在设置页更换 API 密钥。",
			"This device uses the merchant API key and has no key of its own: rotate the API key on the settings page.")
	}
	if d, err = g.db.SetDeviceKey(ctx, id, newDeviceKey()); err != nil {
		return d, err
	}
	return d, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditDeviceRotateKey, Subject: deviceSubject(id), Detail: d.Name})
}

// DeleteDevice removes a forwarder; its stored notifications stay. by is who asked.
func (g *Gateway) DeleteDevice(ctx context.Context, id int64, by string) error {
	d, err := g.db.Device(ctx, id)
	if err != nil {
		return err
	}
	if err := g.db.DeleteDevice(ctx, id); err != nil {
		return err
	}
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditDeviceDelete, Subject: deviceSubject(id), Detail: d.Name})
}

// Notifications lists stored forwarder requests, their secrets (keys,
// signatures) hidden.
func (g *Gateway) Notifications(ctx context.Context, f app.NotificationFilter) ([]app.Notification, int, error) {
	list, total, err := g.db.ListNotifications(ctx, f)
	for i := range list {
		list[i] = forward.Redact(list[i])
	}
	return list, total, err
}

func validDeviceName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 40 {
		return "", app.NewError(app.EINVALID, "name",
			"设备名称需要 1 到 40 个字符，例如“店里的旧手机”。",
			"The device name needs 1 to 40 characters, e.g. \"shop phone\".")
	}
	return name, nil
}

// newDeviceKey is 24 characters of lower-case base32 (120 bits): easy to type
// into a phone, and free of '/', which the V免签 pairing string "host/key" forbids.
func newDeviceKey() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

// identify finds the forwarder whose secret passes check: the merchant API
// key (the API-key device, unless the owner has switched that off: then it
// is refused, saying to use the device key) or a device's own key.
func (g *Gateway) identify(ctx context.Context, check func(secret string) bool) (int64, bool, error) {
	settings, err := g.db.Settings(ctx)
	if err != nil {
		return 0, false, err
	}
	if settings.APIKey != "" && check(settings.APIKey) {
		if !g.APIKeyForwarding().On {
			return 0, false, errAPIKeyNotForPhones()
		}
		d, err := g.db.APIKeyDevice(ctx, apiKeyDeviceName)
		return d.ID, err == nil, err
	}
	keys, err := g.db.DeviceKeys(ctx)
	if err != nil {
		return 0, false, err
	}
	for id, key := range keys {
		if check(key) {
			return id, true, nil
		}
	}
	return 0, false, nil
}
