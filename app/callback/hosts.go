package callback

import (
	"sync"
	"time"
)

const (
	// quickAnswer: an attempt answered within this shows its host is quick;
	// an attempt in flight for longer marks its host slow.
	quickAnswer = time.Second
	// quickMemory is how long a quick answer vouches for its host.
	quickMemory = time.Minute
)

// hostLoads counts the attempts in flight per destination host. A host that
// is slow, dead or not known yet gets perHost of them at once, so it holds
// few workers; a host that has been answering quickly may use up to half
// the workers, so a burst to the merchant's own server is not throttled.
type hostLoads struct {
	mu       sync.Mutex
	perHost  int
	quickMax int // in flight at once to a quick host
	workers  int
	running  int
	hosts    map[string]*hostLoad
}

type hostLoad struct {
	started []time.Time // attempts in flight
	quickAt time.Time   // when an attempt last finished within quickAnswer
}

func newHostLoads(workers, perHost int) *hostLoads {
	return &hostLoads{perHost: perHost, quickMax: max(perHost, workers/2), workers: workers, hosts: map[string]*hostLoad{}}
}

// room says how many attempts may start now: free workers, and per host how
// many more it may take (hosts missing from the map may take perHost).
func (l *hostLoads) room(now time.Time) (free int, perHost map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	perHost = make(map[string]int, len(l.hosts))
	for name, h := range l.hosts {
		if len(h.started) == 0 && now.Sub(h.quickAt) > quickMemory {
			delete(l.hosts, name)
			continue
		}
		perHost[name] = h.limit(now, l.perHost, l.quickMax) - len(h.started)
	}
	return l.workers - l.running, perHost
}

func (h *hostLoad) limit(now time.Time, perHost, quickMax int) int {
	if now.Sub(h.quickAt) > quickMemory {
		return perHost
	}
	for _, s := range h.started {
		if now.Sub(s) > quickAnswer {
			return perHost // answering slowly now
		}
	}
	return quickMax
}

// start records an attempt to host starting at now.
func (l *hostLoads) start(host string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hosts[host]
	if h == nil {
		h = &hostLoad{}
		l.hosts[host] = h
	}
	h.started = append(h.started, now)
	l.running++
}

// finish records the end, at now, of the attempt start recorded as started.
func (l *hostLoads) finish(host string, started, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running--
	h := l.hosts[host]
	if h == nil {
		return
	}
	for i, s := range h.started {
		if s.Equal(started) {
			h.started = append(h.started[:i], h.started[i+1:]...)
			break
		}
	}
	if now.Sub(started) <= quickAnswer {
		h.quickAt = now
	}
}
