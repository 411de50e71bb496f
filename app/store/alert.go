package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"paygate/app"
)

const alertChannelColumns = `c.id, c.kind, c.name, c.config, c.enabled, c.created_at`

func scanAlertChannel(r rowScanner, extra ...any) (app.AlertChannel, error) {
	var (
		ch      app.AlertChannel
		kind    string
		config  string
		created int64
	)
	if err := r.Scan(append([]any{&ch.ID, &kind, &ch.Name, &config, &ch.Enabled, &created}, extra...)...); err != nil {
		return ch, err
	}
	ch.Kind, ch.CreatedAt = app.AlertChannelKind(kind), fromMS(created)
	if err := json.Unmarshal([]byte(config), &ch.Config); err != nil {
		return ch, err
	}
	return ch, nil
}

func errAlertChannelNotFound(id int64) error {
	n := strconv.FormatInt(id, 10)
	return app.NewError(app.ENOTFOUND, "channelId", "提醒渠道 #"+n+" 不存在，可能已被删除：请刷新页面。",
		"Alert channel #"+n+" does not exist; it may have been deleted: reload the page.")
}

// AlertChannels lists the alert channels with their latest message's outcome.
func (db *DB) AlertChannels(ctx context.Context) ([]app.AlertChannel, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+alertChannelColumns+`,
		(SELECT max(m.sent_at) FROM alert_messages m WHERE m.channel_id = c.id AND m.status = 'sent'),
		coalesce((SELECT m.last_error FROM alert_messages m WHERE m.channel_id = c.id AND m.attempts > 0 ORDER BY m.id DESC LIMIT 1), '')
		FROM alert_channels c ORDER BY c.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []app.AlertChannel{}
	for rows.Next() {
		var sent sql.NullInt64
		var lastErr string
		ch, err := scanAlertChannel(rows, &sent, &lastErr)
		if err != nil {
			return nil, err
		}
		ch.LastSentAt, ch.LastError = fromNullMS(sent), lastErr
		out = append(out, ch)
	}
	return out, rows.Err()
}

// AlertChannel returns one channel.
func (db *DB) AlertChannel(ctx context.Context, id int64) (app.AlertChannel, error) {
	ch, err := scanAlertChannel(db.read.QueryRowContext(ctx, `SELECT `+alertChannelColumns+` FROM alert_channels c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ch, errAlertChannelNotFound(id)
	}
	return ch, err
}

// CreateAlertChannel adds a channel, enabled.
func (db *DB) CreateAlertChannel(ctx context.Context, ch app.AlertChannel) (app.AlertChannel, error) {
	config, err := json.Marshal(ch.Config)
	if err != nil {
		return ch, err
	}
	err = db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO alert_channels (kind, name, config, enabled, created_at) VALUES (?, ?, ?, 1, ?)`,
			string(ch.Kind), ch.Name, string(config), ms(db.now()))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		ch, err = scanAlertChannel(tx.QueryRowContext(ctx, `SELECT `+alertChannelColumns+` FROM alert_channels c WHERE c.id = ?`, id))
		return err
	})
	return ch, err
}

// SetAlertChannelEnabled switches a channel on or off. Off, its unsent
// messages are dropped: turned on again later, it does not replay old news.
func (db *DB) SetAlertChannelEnabled(ctx context.Context, id int64, on bool) error {
	return db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE alert_channels SET enabled = ? WHERE id = ?`, on, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errAlertChannelNotFound(id)
		}
		if !on {
			_, err = tx.ExecContext(ctx, `UPDATE alert_messages SET status = 'dropped', claimed_at = NULL
				WHERE channel_id = ? AND status = 'pending'`, id)
		}
		return err
	})
}

// DeleteAlertChannel removes a channel and its messages.
func (db *DB) DeleteAlertChannel(ctx context.Context, id int64) error {
	return db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM alert_channels WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errAlertChannelNotFound(id)
		}
		return nil
	})
}

// RaiseIncident records that kind/key needs the owner. It returns true when
// that is news: a new incident, with an opening message queued for every
// enabled channel. An incident already open is left alone (one message per
// incident). One that cleared so recently that its recovery message has not
// gone out yet is opened again and the recovery withdrawn, so a blip sends
// nothing more.
func (db *DB) RaiseIncident(ctx context.Context, kind app.AlertKind, key, text string) (bool, error) {
	var opened bool
	err := db.tx(ctx, func(tx *Tx) error {
		opened = false
		now := ms(db.now())
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM alert_incidents WHERE kind = ? AND key = ? AND closed_at IS NULL`, string(kind), key).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The latest closed one, if its recovery is still waiting to go out.
		err = tx.QueryRowContext(ctx, `SELECT i.id FROM alert_incidents i WHERE i.kind = ? AND i.key = ? AND i.closed_at IS NOT NULL
			AND EXISTS (SELECT 1 FROM alert_messages m WHERE m.incident_id = i.id AND m.status = 'pending' AND m.event IN ('clear', 'resolved'))
			ORDER BY i.closed_at DESC LIMIT 1`, string(kind), key).Scan(&id)
		if err == nil {
			if _, err := tx.ExecContext(ctx, `UPDATE alert_incidents SET closed_at = NULL WHERE id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE alert_messages SET status = 'dropped', claimed_at = NULL
				WHERE incident_id = ? AND status = 'pending' AND event = 'clear'`, id); err != nil {
				return err
			}
			// An opening message that had not gone out is an opening message again.
			_, err = tx.ExecContext(ctx, `UPDATE alert_messages SET event = 'open' WHERE incident_id = ? AND status = 'pending' AND event = 'resolved'`, id)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO alert_incidents (kind, key, text, opened_at) VALUES (?, ?, ?, ?)`, string(kind), key, text, now)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_messages (channel_id, incident_id, event, status, next_attempt_at, created_at)
			SELECT id, ?, 'open', 'pending', ?, ? FROM alert_channels WHERE enabled = 1`, id, now, now); err != nil {
			return err
		}
		opened = true
		return nil
	})
	return opened, err
}

// ClearIncident records that kind/key no longer needs the owner. It
// returns true when an open incident closed. Each channel then gets one
// message: where the opening message went out, a recovery after settle
// (withdrawn if the incident comes back before, see RaiseIncident); where it
// is still waiting (quiet hours, a channel down), that message becomes one
// saying both when it started and when it cleared.
func (db *DB) ClearIncident(ctx context.Context, kind app.AlertKind, key string, settle time.Duration) (bool, error) {
	var closed bool
	err := db.tx(ctx, func(tx *Tx) error {
		closed = false
		now := db.now()
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM alert_incidents WHERE kind = ? AND key = ? AND closed_at IS NULL`, string(kind), key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alert_incidents SET closed_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alert_messages SET event = 'resolved' WHERE incident_id = ? AND status = 'pending' AND event = 'open'`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_messages (channel_id, incident_id, event, status, next_attempt_at, created_at)
			SELECT DISTINCT m.channel_id, ?, 'clear', 'pending', ?, ? FROM alert_messages m JOIN alert_channels c ON c.id = m.channel_id
			WHERE m.incident_id = ? AND m.event = 'open' AND m.status = 'sent' AND c.enabled = 1`,
			id, ms(now.Add(settle)), ms(now), id); err != nil {
			return err
		}
		closed = true
		return nil
	})
	return closed, err
}

const alertMessageColumns = `m.id, m.channel_id, c.name, c.kind, m.event, m.status, m.attempts, m.next_attempt_at, m.created_at, m.sent_at, m.last_error,
	i.id, i.kind, i.key, i.text, i.opened_at, i.closed_at`

func scanAlertMessage(r rowScanner, extra ...any) (app.AlertMessage, error) {
	var (
		m                        app.AlertMessage
		chKind, event, status    string
		next, created, opened    int64
		sent, closed             sql.NullInt64
		incKind, incKey, incText string
	)
	dest := []any{&m.ID, &m.ChannelID, &m.ChannelName, &chKind, &event, &status, &m.Attempts, &next, &created, &sent, &m.LastError,
		&m.Incident.ID, &incKind, &incKey, &incText, &opened, &closed}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return m, err
	}
	m.ChannelKind, m.Event, m.Status = app.AlertChannelKind(chKind), app.AlertEvent(event), app.AlertMessageStatus(status)
	m.NextAttemptAt, m.CreatedAt, m.SentAt = fromMS(next), fromMS(created), fromNullMS(sent)
	m.Incident.Kind, m.Incident.Key, m.Incident.Text = app.AlertKind(incKind), incKey, incText
	m.Incident.OpenedAt, m.Incident.ClosedAt = fromMS(opened), fromNullMS(closed)
	return m, nil
}

// ClaimDueAlerts leases up to limit due messages: their next attempt moves
// lease into the future, so a crash mid-send retries them after the lease.
func (db *DB) ClaimDueAlerts(ctx context.Context, limit int, lease time.Duration) ([]app.AlertDelivery, error) {
	var out []app.AlertDelivery
	err := db.tx(ctx, func(tx *Tx) error {
		out = nil
		now := db.now()
		rows, err := tx.QueryContext(ctx, `SELECT `+alertMessageColumns+`, `+alertChannelColumns+`
			FROM alert_messages m JOIN alert_channels c ON c.id = m.channel_id JOIN alert_incidents i ON i.id = m.incident_id
			WHERE m.status = 'pending' AND m.next_attempt_at <= ? ORDER BY m.next_attempt_at, m.id LIMIT ?`, ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				d            app.AlertDelivery
				kind, config string
				chCreated    int64
			)
			m, err := scanAlertMessage(rows, &d.Channel.ID, &kind, &d.Channel.Name, &config, &d.Channel.Enabled, &chCreated)
			if err == nil {
				err = json.Unmarshal([]byte(config), &d.Channel.Config)
			}
			if err != nil {
				rows.Close()
				return err
			}
			d.Message, d.Channel.Kind, d.Channel.CreatedAt = m, app.AlertChannelKind(kind), fromMS(chCreated)
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE alert_messages SET next_attempt_at = ?, claimed_at = ? WHERE id = ?`,
				ms(now.Add(lease)), ms(now), d.Message.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// PostponeAlert makes a claimed message due again at at, without counting
// an attempt (quiet hours, the channel's hourly limit).
func (db *DB) PostponeAlert(ctx context.Context, id int64, at time.Time) error {
	return db.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alert_messages SET next_attempt_at = ?, claimed_at = NULL WHERE id = ? AND status = 'pending'`, ms(at), id)
		return err
	})
}

// FinishAlertAttempt records one attempt: sent, failed for good, or pending
// until next. A message dropped meanwhile (its channel switched off) stays dropped.
func (db *DB) FinishAlertAttempt(ctx context.Context, id int64, status app.AlertMessageStatus, errText string, next time.Time) error {
	return db.tx(ctx, func(tx *Tx) error {
		now := db.now()
		var sent sql.NullInt64
		if status == app.AlertSent {
			sent = nullMS(now)
		}
		_, err := tx.ExecContext(ctx, `UPDATE alert_messages SET status = ?, attempts = attempts + 1, next_attempt_at = ?, claimed_at = NULL,
			last_error = ?, sent_at = ? WHERE id = ? AND status = 'pending'`, string(status), ms(next), app.Clip(errText, 500), sent, id)
		return err
	})
}

// DropAlert gives up a claimed message that is no longer worth sending.
func (db *DB) DropAlert(ctx context.Context, id int64, why string) error {
	return db.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alert_messages SET status = 'dropped', claimed_at = NULL, last_error = ? WHERE id = ? AND status = 'pending'`, why, id)
		return err
	})
}

// ReleaseAlertClaims makes messages that were being sent when the previous
// process died due now.
func (db *DB) ReleaseAlertClaims(ctx context.Context) error {
	return db.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alert_messages SET next_attempt_at = ?, claimed_at = NULL
			WHERE status = 'pending' AND claimed_at IS NOT NULL`, ms(db.now()))
		return err
	})
}

// NextAlertDue is when the earliest pending message becomes due, if any.
func (db *DB) NextAlertDue(ctx context.Context) (time.Time, bool, error) {
	var v sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM alert_messages WHERE status = 'pending'`).Scan(&v)
	return fromNullMS(v), v.Valid, err
}

// AlertsSentSince counts the messages channel sent after since, and when
// the earliest of them went out.
func (db *DB) AlertsSentSince(ctx context.Context, channelID int64, since time.Time) (int, time.Time, error) {
	var n int
	var first sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT count(*), min(sent_at) FROM alert_messages
		WHERE channel_id = ? AND status = 'sent' AND sent_at > ?`, channelID, ms(since)).Scan(&n, &first)
	return n, fromNullMS(first), err
}

// RecentAlertMessages lists the newest messages, for the console's log.
func (db *DB) RecentAlertMessages(ctx context.Context, limit int) ([]app.AlertMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+alertMessageColumns+`
		FROM alert_messages m JOIN alert_channels c ON c.id = m.channel_id JOIN alert_incidents i ON i.id = m.incident_id
		ORDER BY m.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []app.AlertMessage{}
	for rows.Next() {
		m, err := scanAlertMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// OpenIncidents lists the incidents that have not cleared, oldest first.
func (db *DB) OpenIncidents(ctx context.Context) ([]app.AlertIncident, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kind, key, text, opened_at FROM alert_incidents WHERE closed_at IS NULL ORDER BY opened_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []app.AlertIncident{}
	for rows.Next() {
		var i app.AlertIncident
		var kind string
		var opened int64
		if err := rows.Scan(&i.ID, &kind, &i.Key, &i.Text, &opened); err != nil {
			return nil, err
		}
		i.Kind, i.OpenedAt = app.AlertKind(kind), fromMS(opened)
		out = append(out, i)
	}
	return out, rows.Err()
}

// PruneAlerts deletes incidents that cleared before, with their messages.
func (db *DB) PruneAlerts(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *Tx) error {
		n = 0
		if _, err := tx.ExecContext(ctx, `DELETE FROM alert_messages WHERE incident_id IN
			(SELECT id FROM alert_incidents WHERE closed_at IS NOT NULL AND closed_at < ?) AND status <> 'pending'`, ms(before)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM alert_incidents WHERE closed_at IS NOT NULL AND closed_at < ?
			AND NOT EXISTS (SELECT 1 FROM alert_messages m WHERE m.incident_id = alert_incidents.id)`, ms(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// settingQuietHours is where the console keeps the quiet hours ("22:00-08:00").
const settingQuietHours = "alerts.quiet_hours"

// QuietHours returns the owner's quiet hours; none when not set.
func (db *DB) QuietHours(ctx context.Context) (app.QuietHours, error) {
	var s string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingQuietHours).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return app.QuietHours{}, nil
	}
	if err != nil {
		return app.QuietHours{}, err
	}
	q, _ := app.ParseQuietHours(s) // stored only after parsing
	return q, nil
}

// SetQuietHours stores the quiet hours.
func (db *DB) SetQuietHours(ctx context.Context, q app.QuietHours) error {
	return db.PutSettings(ctx, map[string]string{settingQuietHours: q.String()})
}
