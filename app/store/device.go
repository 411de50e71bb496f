package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"paygate/app"
)

const deviceColumns = `id, name, coalesce(key, ''), uses_api_key, created_at, last_seen_at, last_heartbeat_at, last_ip, last_kind`

func scanDevice(r rowScanner) (app.Device, error) {
	var (
		d              app.Device
		created        int64
		seen, heartbit sql.NullInt64
	)
	if err := r.Scan(&d.ID, &d.Name, &d.Key, &d.UsesAPIKey, &created, &seen, &heartbit, &d.LastIP, &d.LastKind); err != nil {
		return app.Device{}, err
	}
	d.CreatedAt, d.LastSeenAt, d.LastHeartbeatAt = fromMS(created), fromNullMS(seen), fromNullMS(heartbit)
	return d, nil
}

func errDeviceNotFound(id int64) error {
	n := strconv.FormatInt(id, 10)
	return app.NewError(app.ENOTFOUND, "deviceId", "设备 #"+n+" 不存在，可能已被删除。", "Device #"+n+" does not exist; it may have been deleted.")
}

// Devices lists every device, the API-key device first, then by name.
func (db *DB) Devices(ctx context.Context) ([]app.Device, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices ORDER BY uses_api_key DESC, name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []app.Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Device returns one device.
func (db *DB) Device(ctx context.Context, id int64) (app.Device, error) {
	d, err := scanDevice(db.read.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Device{}, errDeviceNotFound(id)
	}
	return d, err
}

// DeviceKeys returns the key of every device that has its own.
func (db *DB) DeviceKeys(ctx context.Context) (map[int64]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, key FROM devices WHERE key IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		out[id] = key
	}
	return out, rows.Err()
}

// CreateDevice adds a forwarder with its own key.
func (db *DB) CreateDevice(ctx context.Context, name, key string) (app.Device, error) {
	var d app.Device
	err := db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO devices (name, key, created_at) VALUES (?, ?, ?)`, name, key, ms(db.now()))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		d, err = scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id))
		return err
	})
	return d, err
}

// APIKeyDevice returns the device that stands for forwarders using the
// merchant API key, creating it on first use.
func (db *DB) APIKeyDevice(ctx context.Context, name string) (app.Device, error) {
	d, err := scanDevice(db.read.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE uses_api_key = 1`))
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return d, err
	}
	err = db.tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices (name, key, uses_api_key, created_at) VALUES (?, NULL, 1, ?)
			ON CONFLICT DO NOTHING`, name, ms(db.now())); err != nil {
			return err
		}
		d, err = scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE uses_api_key = 1`))
		return err
	})
	return d, err
}

// RenameDevice changes a device's name.
func (db *DB) RenameDevice(ctx context.Context, id int64, name string) (app.Device, error) {
	return db.updateDevice(ctx, id, `UPDATE devices SET name = ? WHERE id = ?`, name, id)
}

// SetDeviceKey replaces a device's own key (the old one stops working at once).
func (db *DB) SetDeviceKey(ctx context.Context, id int64, key string) (app.Device, error) {
	return db.updateDevice(ctx, id, `UPDATE devices SET key = ? WHERE id = ? AND uses_api_key = 0`, key, id)
}

func (db *DB) updateDevice(ctx context.Context, id int64, query string, args ...any) (app.Device, error) {
	var d app.Device
	err := db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errDeviceNotFound(id)
		}
		d, err = scanDevice(tx.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id))
		return err
	})
	return d, err
}

// DeleteDevice removes a device; its stored notifications stay, unattributed.
func (db *DB) DeleteDevice(ctx context.Context, id int64) error {
	return db.tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET device_id = NULL WHERE device_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errDeviceNotFound(id)
		}
		return nil
	})
}

// TouchDevice records that a device was heard from.
func (db *DB) TouchDevice(ctx context.Context, id int64, at time.Time, ip, kind string, heartbeat bool) error {
	return db.tx(ctx, func(tx *Tx) error {
		q := `UPDATE devices SET last_seen_at = ?, last_ip = ?, last_kind = ? WHERE id = ?`
		args := []any{ms(at), ip, kind, id}
		if heartbeat {
			q = `UPDATE devices SET last_seen_at = ?, last_ip = ?, last_kind = ?, last_heartbeat_at = ? WHERE id = ?`
			args = []any{ms(at), ip, kind, ms(at), id}
		}
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
}

// LastPaymentAt is when the device last reported a payment (zero if never).
func (db *DB) LastPaymentAt(ctx context.Context, deviceID int64) (time.Time, error) {
	var v sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT max(received_at) FROM notifications WHERE device_id = ? AND outcome = 'payment'`, deviceID).Scan(&v)
	return fromNullMS(v), err
}
