package callback

import (
	"testing"
	"time"
)

// A host gets PerHost attempts until it has answered quickly; then up to
// half the workers, until an attempt hangs or the quick answer is old.
func TestHostShares(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	l := newHostLoads(32, 2)
	roomOf := func(at time.Time, host string) int {
		_, room := l.room(at)
		if n, ok := room[host]; ok {
			return n
		}
		return l.perHost
	}
	if n := roomOf(t0, "shop"); n != 2 {
		t.Fatalf("unknown host: room %d, want 2", n)
	}
	l.start("shop", t0)
	if n := roomOf(t0, "shop"); n != 1 {
		t.Fatalf("one in flight: room %d, want 1", n)
	}
	l.finish("shop", t0, t0.Add(50*time.Millisecond)) // a quick answer
	if n := roomOf(t0.Add(time.Second), "shop"); n != 16 {
		t.Fatalf("quick host: room %d, want 16 (half the workers)", n)
	}
	hung := t0.Add(2 * time.Second)
	l.start("shop", hung)
	l.start("shop", hung)
	if n := roomOf(hung.Add(500*time.Millisecond), "shop"); n != 14 {
		t.Fatalf("two in flight for 0.5s: room %d, want 14", n)
	}
	if n := roomOf(hung.Add(5*time.Second), "shop"); n != 0 {
		t.Fatalf("two hanging for 5s: room %d, want 0 (back to PerHost)", n)
	}
	l.finish("shop", hung, hung.Add(5*time.Second)) // timed out: not quick
	l.finish("shop", hung, hung.Add(5*time.Second))
	if free, _ := l.room(hung.Add(5 * time.Second)); free != 32 {
		t.Fatalf("free workers %d, want 32", free)
	}
	if _, room := l.room(t0.Add(2 * quickMemory)); len(room) != 0 {
		t.Fatalf("idle host with an old quick answer still tracked: %v", room)
	}
}
