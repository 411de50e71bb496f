package store

import (
	"context"

	"paygate/app"
)

// Settings keys.
const (
	keyAPIKey      = "merchant.api_key"
	keyCallbackURL = "merchant.callback_url"
	keyName        = "merchant.name"
	keyDescription = "merchant.description"
	keyEpayPID     = "merchant.epay_pid"
)

// Settings returns the merchant settings; missing ones are "". They are read
// on every authenticated request, so they are cached; writes clear the cache.
func (db *DB) Settings(ctx context.Context) (app.Settings, error) {
	if s := db.settings.Load(); s != nil {
		return *s, nil
	}
	s, err := db.loadSettings(ctx)
	if err == nil {
		db.settings.Store(&s)
	}
	return s, err
}

func (db *DB) loadSettings(ctx context.Context) (app.Settings, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT key, value FROM settings WHERE key LIKE 'merchant.%'`)
	if err != nil {
		return app.Settings{}, err
	}
	defer rows.Close()
	var s app.Settings
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return app.Settings{}, err
		}
		switch k {
		case keyAPIKey:
			s.APIKey = v
		case keyCallbackURL:
			s.CallbackURL = v
		case keyName:
			s.Name = v
		case keyDescription:
			s.Description = v
		case keyEpayPID:
			s.EpayPID = v
		}
	}
	return s, rows.Err()
}

// SettingsPatch changes the fields that are non-nil.
type SettingsPatch struct {
	APIKey      *string
	CallbackURL *string
	Name        *string
	Description *string
	EpayPID     *string
}

// UpdateSettings applies p in one transaction.
func (db *DB) UpdateSettings(ctx context.Context, p SettingsPatch) error {
	defer db.settings.Store(nil)
	return db.tx(ctx, func(tx *Tx) error {
		for key, v := range map[string]*string{
			keyAPIKey: p.APIKey, keyCallbackURL: p.CallbackURL, keyName: p.Name, keyDescription: p.Description, keyEpayPID: p.EpayPID,
		} {
			if v == nil {
				continue
			}
			if err := putSetting(ctx, tx, key, *v); err != nil {
				return err
			}
		}
		return nil
	})
}

// SeedSettings sets the API key and callback URL from the boot configuration,
// each only when the database has none yet: the UI and /api/config own them after.
func (db *DB) SeedSettings(ctx context.Context, apiKey, callbackURL string) error {
	defer db.settings.Store(nil)
	return db.tx(ctx, func(tx *Tx) error {
		for key, v := range map[string]string{keyAPIKey: apiKey, keyCallbackURL: callbackURL} {
			if v == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, v); err != nil {
				return err
			}
		}
		return nil
	})
}

func putSetting(ctx context.Context, tx *Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// SettingValues returns every setting whose key starts with prefix.
func (db *DB) SettingValues(ctx context.Context, prefix string) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT key, value FROM settings WHERE substr(key, 1, length(?)) = ?`, prefix, prefix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// PutSettings stores several settings in one transaction.
func (db *DB) PutSettings(ctx context.Context, values map[string]string) error {
	defer db.settings.Store(nil)
	return db.tx(ctx, func(tx *Tx) error {
		for k, v := range values {
			if err := putSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// SecretSetting returns the stored value of key, storing fresh first when
// there is none yet: two callers at once get the same value.
func (db *DB) SecretSetting(ctx context.Context, key, fresh string) (string, error) {
	var value string
	err := db.tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	})
	return value, err
}
