package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"paygate/app"
	"paygate/app/console"
)

// A rule pinned by config.yaml names the key to remove there.
func TestTuningSectionNamesThePinnedKey(t *testing.T) {
	st := console.TuningState{
		Sources:    map[string]app.Source{"orderLifetime": {Kind: app.SourceFile, Name: "/srv/paygate/config.yaml"}},
		ConfigKeys: map[string]string{"orderLifetime": "order.lifetime"},
	}
	var b bytes.Buffer
	if err := TuningSection(TuningData{State: st}).Render(WithLang(context.Background(), "en"), &b); err != nil {
		t.Fatal(err)
	}
	if want := "remove order.lifetime from it and restart paygate"; !strings.Contains(b.String(), want) {
		t.Fatalf("the pinned rule does not say %q:\n%.2000s", want, b.String())
	}
}
