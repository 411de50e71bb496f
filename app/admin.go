package app

import "time"

// Admin is the person who runs the shop and logs in to the admin console.
type Admin struct {
	ID           int64
	Username     string
	PasswordHash string
	CreatedAt    time.Time
}

// Session is a logged-in browser. Only the hash of its token is stored.
type Session struct {
	TokenHash string
	Admin     Admin
	CreatedAt time.Time
	ExpiresAt time.Time
	RemoteIP  string
	UserAgent string
}
