package gateway

import (
	"context"
	"testing"
)

// The settings page's state names each rule's config key, so a pinned rule
// can say where to change it.
func TestTuningStateConfigKeys(t *testing.T) {
	g := startGateway(t, openSettingsDB(t, t.TempDir()), configDefaults, nil, false)
	checkConfigKeys(t, g)
	if err := g.UpdateTuning(context.Background(), g.Tuning(), "boss"); err != nil {
		t.Fatal(err)
	}
	checkConfigKeys(t, g) // and after a save
}

func checkConfigKeys(t *testing.T, g *Gateway) {
	t.Helper()
	st := g.TuningState()
	for field, key := range map[string]string{"orderLifetime": "order.lifetime", "matchGrace": "match.grace", "slotMaxOffset": "order.slot_max_offset"} {
		if got := st.ConfigKey(field); got != key {
			t.Errorf("ConfigKey(%q) = %q, want %q", field, got, key)
		}
	}
	if len(st.ConfigKeys) != len(tuningFields) {
		t.Errorf("%d config keys for %d rules", len(st.ConfigKeys), len(tuningFields))
	}
}
