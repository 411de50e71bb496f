package app

// Settings are the merchant's settings that live in the database and that
// POST /api/config changes.
type Settings struct {
	APIKey      string
	CallbackURL string
	Name        string
	Description string
}
