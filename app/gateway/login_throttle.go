package gateway

import (
	"sync"
	"time"
)

// Login throttling. Every try takes a token, before the password is checked,
// from each bucket that judges the client, all at once or not at all: tries
// sent in parallel are each counted, and when any bucket is empty the try is
// refused without checking. A successful login gives its token back and
// forgets the client's own failures.
//
// Clients paygate does not know are judged per IP and, all together, per
// account: once strangers have used up an account's tries, no unknown client
// may try it for a while. The owner's known browsers (a signed known-device
// cookie from an earlier login) and the addresses the owner signed in from
// lately are each judged by their own bucket only, so a stranger's failures
// never lock them out. The first-run form does not go through here at all.
type throttlePolicy struct {
	burst float64       // tries in a row
	every time.Duration // then one more per this
}

var (
	strangerIPPolicy      = throttlePolicy{burst: 20, every: time.Minute}    // one IP, any account
	strangerAccountPolicy = throttlePolicy{burst: 5, every: 2 * time.Minute} // one account, every unknown client
	knownClientPolicy     = throttlePolicy{burst: 5, every: 2 * time.Minute} // one known browser or owner address
)

const throttleKeep = 10000 // buckets kept before full ones are forgotten

// throttleBucket names a bucket and its policy. A known client's own bucket
// is forgotten on success; the shared account bucket only gets its token back.
type throttleBucket struct {
	key    string
	policy throttlePolicy
	shared bool
}

func strangerBuckets(ip, account string) []throttleBucket {
	return []throttleBucket{
		{key: "ip:" + ip, policy: strangerIPPolicy},
		{key: "account:" + account, policy: strangerAccountPolicy, shared: true},
	}
}

func knownDeviceBucket(deviceID string) []throttleBucket {
	return []throttleBucket{{key: "device:" + deviceID, policy: knownClientPolicy}}
}

func ownerIPBucket(account, ip string) []throttleBucket {
	return []throttleBucket{{key: "owner-ip:" + account + "|" + ip, policy: knownClientPolicy}}
}

type tokenBucket struct {
	tokens float64
	at     time.Time
	policy throttlePolicy
}

// level is the bucket's tokens at now.
func (b *tokenBucket) level(now time.Time) float64 {
	if now.Before(b.at) {
		return b.tokens
	}
	return min(b.policy.burst, b.tokens+float64(now.Sub(b.at))/float64(b.policy.every))
}

func (b *tokenBucket) add(n float64, now time.Time) {
	b.tokens = min(b.policy.burst, b.level(now)+n)
	b.at = now
}

type loginThrottle struct {
	mu      sync.Mutex
	buckets map[string]*tokenBucket
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{buckets: map[string]*tokenBucket{}}
}

func (t *loginThrottle) bucket(b throttleBucket, now time.Time) *tokenBucket {
	tb, ok := t.buckets[b.key]
	if !ok {
		if len(t.buckets) >= throttleKeep {
			for k, old := range t.buckets {
				if old.level(now) >= old.policy.burst {
					delete(t.buckets, k)
				}
			}
		}
		tb = &tokenBucket{tokens: b.policy.burst, at: now, policy: b.policy}
		t.buckets[b.key] = tb
	}
	return tb
}

// reserve takes one try from every bucket in bs, or, when any is empty,
// none; then it returns how long until all of them have one again.
func (t *loginThrottle) reserve(bs []throttleBucket, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	wait := time.Duration(0)
	for _, b := range bs {
		if level := t.bucket(b, now).level(now); level < 1 {
			wait = max(wait, time.Duration((1-level)*float64(b.policy.every)))
		}
	}
	if wait > 0 {
		return wait
	}
	for _, b := range bs {
		t.bucket(b, now).add(-1, now)
	}
	return 0
}

// succeed gives back the try a successful login reserved and forgets the
// failures of the client's own buckets.
func (t *loginThrottle) succeed(bs []throttleBucket, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range bs {
		if b.shared {
			t.bucket(b, now).add(1, now)
		} else {
			delete(t.buckets, b.key)
		}
	}
}
