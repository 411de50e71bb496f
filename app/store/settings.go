package store

import (
	"context"
	"database/sql"
	"errors"

	"paygate/app"
)

// Settings keys.
const (
	keyAPIKey      = "merchant.api_key"
	keyCallbackURL = "merchant.callback_url"
	keyName        = "merchant.name"
	keyDescription = "merchant.description"
	keyEpayPID     = "merchant.epay_pid"
	// keyEpayPublicKey is the shop's RSA public key for 易支付 V2, bare base64 SPKI.
	keyEpayPublicKey = "merchant.epay_public_key"
	// keyEpayPlatformKey is paygate's own RSA private key for 易支付 V2
	// (PKCS#8, base64). It is not a merchant.* key: Settings never carries it.
	keyEpayPlatformKey = "epay.platform_private_key"
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
		case keyEpayPublicKey:
			s.EpayPublicKey = v
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
	// EpayPublicKey is the shop's 易支付 V2 RSA public key; "" removes it.
	EpayPublicKey *string
}

// UpdateSettings applies p in one transaction.
func (db *DB) UpdateSettings(ctx context.Context, p SettingsPatch) error {
	defer db.settings.Store(nil)
	return db.tx(ctx, func(tx *Tx) error {
		for key, v := range map[string]*string{
			keyAPIKey: p.APIKey, keyCallbackURL: p.CallbackURL, keyName: p.Name, keyDescription: p.Description, keyEpayPID: p.EpayPID,
			keyEpayPublicKey: p.EpayPublicKey,
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

// EpayPlatformKey returns paygate's 易支付 V2 private key, "" while there is none.
func (db *DB) EpayPlatformKey(ctx context.Context) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, keyEpayPlatformKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// EnsureEpayPlatformKey stores fresh as paygate's 易支付 V2 private key when
// there is none yet and returns the one in force: two callers at once get
// the same key.
func (db *DB) EnsureEpayPlatformKey(ctx context.Context, fresh string) (string, error) {
	return db.SecretSetting(ctx, keyEpayPlatformKey, fresh)
}

// ReplaceEpayPlatformKey stores key as paygate's 易支付 V2 private key,
// replacing the one in force.
func (db *DB) ReplaceEpayPlatformKey(ctx context.Context, key string) error {
	return db.tx(ctx, func(tx *Tx) error { return putSetting(ctx, tx, keyEpayPlatformKey, key) })
}
