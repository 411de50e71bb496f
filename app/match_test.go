package app

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	policy := func(auto Confidence) MatchPolicy {
		return MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: auto}
	}
	tests := []struct {
		name  string
		facts SlotFacts
		auto  Confidence // the policy's threshold
		want  MatchDecision
	}{
		{
			name:  "nothing fits",
			facts: SlotFacts{MethodKnown: true},
			auto:  ConfidenceMedium,
			want:  MatchDecision{},
		},
		{
			name:  "method known, one pending order",
			facts: SlotFacts{MethodKnown: true, Pending: []string{"B"}},
			auto:  ConfidenceMedium,
			want:  MatchDecision{OrderID: "B", Confidence: ConfidenceHigh, AutoConfirm: true, Why: "pending"},
		},
		{
			name:  "method known, threshold high",
			facts: SlotFacts{MethodKnown: true, Pending: []string{"B"}},
			auto:  ConfidenceHigh,
			want:  MatchDecision{OrderID: "B", Confidence: ConfidenceHigh, AutoConfirm: true, Why: "pending"},
		},
		{
			name:  "method unknown, one pending order",
			facts: SlotFacts{Pending: []string{"B"}},
			auto:  ConfidenceMedium,
			want:  MatchDecision{OrderID: "B", Confidence: ConfidenceMedium, AutoConfirm: true, Why: "pending_method_unknown"},
		},
		{
			name:  "method unknown, threshold high: waits",
			facts: SlotFacts{Pending: []string{"B"}},
			auto:  ConfidenceHigh,
			want:  MatchDecision{OrderID: "B", Confidence: ConfidenceMedium, Why: "pending_method_unknown"},
		},
		{
			name:  "method unknown, an order on each method: the oldest, low",
			facts: SlotFacts{Pending: []string{"W", "A"}},
			auto:  ConfidenceMedium,
			want:  MatchDecision{OrderID: "W", Confidence: ConfidenceLow, Why: "several"},
		},
		{
			name:  "several pending, threshold low: the owner chose to take the oldest",
			facts: SlotFacts{Pending: []string{"W", "A"}},
			auto:  ConfidenceLow,
			want:  MatchDecision{OrderID: "W", Confidence: ConfidenceLow, AutoConfirm: true, Why: "several"},
		},
		{
			name:  "pending order and an expired earlier holder: low, never auto",
			facts: SlotFacts{MethodKnown: true, Pending: []string{"B"}, Expired: "A", Released: true},
			auto:  ConfidenceMedium,
			want:  MatchDecision{OrderID: "B", Confidence: ConfidenceLow, Why: "previous_holder"},
		},
		{
			name:  "pending order and a paid earlier holder (repeated notification): low, never auto",
			facts: SlotFacts{MethodKnown: true, Pending: []string{"Y"}, Released: true},
			auto:  ConfidenceMedium,
			want:  MatchDecision{OrderID: "Y", Confidence: ConfidenceLow, Why: "previous_holder"},
		},
		{
			name:  "contested, threshold low: still never auto",
			facts: SlotFacts{MethodKnown: true, Pending: []string{"B"}, Expired: "A", Released: true},
			auto:  ConfidenceLow,
			want:  MatchDecision{OrderID: "B", Confidence: ConfidenceLow, Why: "previous_holder"},
		},
		{
			name:  "method unknown, pending on one method, released on the other: low, never auto",
			facts: SlotFacts{Pending: []string{"W"}, Released: true},
			auto:  ConfidenceMedium,
			want:  MatchDecision{OrderID: "W", Confidence: ConfidenceLow, Why: "previous_holder"},
		},
		{
			name:  "several pending and a released holder: previous holder is the reason",
			facts: SlotFacts{Pending: []string{"W", "A"}, Released: true},
			auto:  ConfidenceLow,
			want:  MatchDecision{OrderID: "W", Confidence: ConfidenceLow, Why: "previous_holder"},
		},
		{
			name:  "only an expired order: low candidate",
			facts: SlotFacts{MethodKnown: true, Expired: "A", Released: true},
			auto:  ConfidenceMedium,
			want:  MatchDecision{OrderID: "A", Confidence: ConfidenceLow, Why: "expired"},
		},
		{
			name:  "only an expired order, threshold low: the owner chose to pay it",
			facts: SlotFacts{MethodKnown: true, Expired: "A", Released: true},
			auto:  ConfidenceLow,
			want:  MatchDecision{OrderID: "A", Confidence: ConfidenceLow, AutoConfirm: true, Why: "expired"},
		},
		{
			name:  "only an order whose payer switched away from the slot: low candidate",
			facts: SlotFacts{MethodKnown: true, Moved: "M", Released: true},
			auto:  ConfidenceMedium,
			want:  MatchDecision{OrderID: "M", Confidence: ConfidenceLow, Why: "moved"},
		},
		{
			name:  "a pending order and one that switched away: the pending one, low, never auto",
			facts: SlotFacts{MethodKnown: true, Pending: []string{"B"}, Moved: "M", Released: true},
			auto:  ConfidenceLow,
			want:  MatchDecision{OrderID: "B", Confidence: ConfidenceLow, Why: "previous_holder"},
		},
		{
			name:  "only a paid or closed earlier holder: nothing to pay",
			facts: SlotFacts{MethodKnown: true, Released: true},
			auto:  ConfidenceLow,
			want:  MatchDecision{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy(tt.auto).Decide(tt.facts); got != tt.want {
				t.Fatalf("Decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPendingConfidence(t *testing.T) {
	for _, tt := range []struct {
		pending               int
		methodKnown, released bool
		want                  Confidence
		why                   string
	}{
		{1, true, false, ConfidenceHigh, "pending"},
		{1, false, false, ConfidenceMedium, "pending_method_unknown"},
		{2, false, false, ConfidenceLow, "several"},
		{1, true, true, ConfidenceLow, "previous_holder"},
		{1, false, true, ConfidenceLow, "previous_holder"},
		{2, false, true, ConfidenceLow, "previous_holder"},
	} {
		got, why := PendingConfidence(tt.pending, tt.methodKnown, tt.released)
		if got != tt.want || why != tt.why {
			t.Errorf("PendingConfidence(%d, %v, %v) = %q %q, want %q %q", tt.pending, tt.methodKnown, tt.released, got, why, tt.want, tt.why)
		}
	}
}
