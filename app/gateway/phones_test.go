package gateway

import (
	"testing"

	"paygate/app"
)

// The API-key stand-in is the shop's phone only while no phone has its own key.
func TestPhones(t *testing.T) {
	standIn := app.Device{ID: 1, UsesAPIKey: true, Online: true}
	own := app.Device{ID: 2, Online: true}
	for _, tt := range []struct {
		name    string
		devices []app.Device
		want    []int64
	}{
		{"none", nil, nil},
		{"only the stand-in: the one-phone shop", []app.Device{standIn}, []int64{1}},
		{"a phone with its own key: the stand-in is not a second phone", []app.Device{standIn, own}, []int64{2}},
		{"own keys only", []app.Device{own}, []int64{2}},
	} {
		var got []int64
		for _, d := range Phones(tt.devices) {
			got = append(got, d.ID)
		}
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if list := []app.Device{standIn, own}; len(Phones(list)) != 1 || len(list) != 2 || list[0].ID != 1 {
		t.Error("Phones changed the list it was given")
	}
}
