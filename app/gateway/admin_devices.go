package gateway

import (
	"context"
	"strconv"

	"paygate/app"
)

// The admin console's device actions: the device calls plus an audit entry.

// CreateDeviceBy adds a forwarder and records who did it.
func (g *Gateway) CreateDeviceBy(ctx context.Context, name, by string) (app.Device, error) {
	d, err := g.CreateDevice(ctx, name)
	if err != nil {
		return d, err
	}
	return d, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditDeviceCreate, Subject: deviceSubject(d.ID), Detail: d.Name})
}

// RenameDeviceBy renames a forwarder and records who did it.
func (g *Gateway) RenameDeviceBy(ctx context.Context, id int64, name, by string) (app.Device, error) {
	d, err := g.RenameDevice(ctx, id, name)
	if err != nil {
		return d, err
	}
	return d, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditDeviceRename, Subject: deviceSubject(id), Detail: d.Name})
}

// RotateDeviceKeyBy gives a forwarder a new key and records who did it.
func (g *Gateway) RotateDeviceKeyBy(ctx context.Context, id int64, by string) (app.Device, error) {
	d, err := g.RotateDeviceKey(ctx, id)
	if err != nil {
		return d, err
	}
	return d, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditDeviceRotateKey, Subject: deviceSubject(id), Detail: d.Name})
}

// DeleteDeviceBy removes a forwarder and records who did it.
func (g *Gateway) DeleteDeviceBy(ctx context.Context, id int64, by string) error {
	d, err := g.db.Device(ctx, id)
	if err != nil {
		return err
	}
	if err := g.DeleteDevice(ctx, id); err != nil {
		return err
	}
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditDeviceDelete, Subject: deviceSubject(id), Detail: d.Name})
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
