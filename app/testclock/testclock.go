// Package testclock is the one settable clock of paygate's tests. Given to
// store.Options.Now (storetest does), it lets a test move time — past an
// order's lifetime, a grace period, midnight — without sleeping.
package testclock

import (
	"sync"
	"time"
)

// Clock is a time that moves only when a test moves it; safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a clock showing start.
func New(start time.Time) *Clock { return &Clock{t: start} }

// Now is the time the clock shows.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set makes the clock show t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
