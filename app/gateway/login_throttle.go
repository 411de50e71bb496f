package gateway

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Login throttling: every failed login takes a token from the bucket of the
// client's IP and from the bucket of the account name; while either is empty,
// logins are refused before the password is even checked.
const (
	accountBurst = 5               // failures in a row allowed per account
	accountEvery = 2 * time.Minute // then one more try per this
	ipBurst      = 20              // failures allowed per IP (many account names)
	ipEvery      = time.Minute
	throttleKeep = 10000 // buckets kept before full ones are forgotten
)

type loginThrottle struct {
	mu        sync.Mutex
	byIP      map[string]*rate.Limiter
	byAccount map[string]*rate.Limiter
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{byIP: map[string]*rate.Limiter{}, byAccount: map[string]*rate.Limiter{}}
}

func bucket(m map[string]*rate.Limiter, key string, every time.Duration, burst int, now time.Time) *rate.Limiter {
	l, ok := m[key]
	if !ok {
		if len(m) >= throttleKeep {
			for k, old := range m {
				if old.TokensAt(now) >= float64(old.Burst()) {
					delete(m, k)
				}
			}
		}
		l = rate.NewLimiter(rate.Every(every), burst)
		m[key] = l
	}
	return l
}

// wait is how long a login from ip for account must wait; 0 = allowed now.
func (t *loginThrottle) wait(ip, account string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	longest := time.Duration(0)
	for _, l := range []*rate.Limiter{
		bucket(t.byIP, ip, ipEvery, ipBurst, now),
		bucket(t.byAccount, account, accountEvery, accountBurst, now),
	} {
		if tokens := l.TokensAt(now); tokens < 1 {
			d := time.Duration((1 - tokens) / float64(l.Limit()) * float64(time.Second))
			longest = max(longest, d)
		}
	}
	return longest
}

// fail records a failed login.
func (t *loginThrottle) fail(ip, account string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	bucket(t.byIP, ip, ipEvery, ipBurst, now).AllowN(now, 1)
	bucket(t.byAccount, account, accountEvery, accountBurst, now).AllowN(now, 1)
}

// succeed forgets the account's failures.
func (t *loginThrottle) succeed(account string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.byAccount, account)
}
