package app

import "testing"

func TestPageOffset(t *testing.T) {
	for _, tt := range []struct {
		page Page
		want int
	}{
		{Page{Number: 1, Limit: 20}, 0},
		{Page{Number: 2, Limit: 20}, 20},
		{Page{Number: 3, Limit: 50}, 100},
		{Page{Number: 1_000_000, Limit: 100}, 99_999_900},
	} {
		if got := tt.page.Offset(); got != tt.want {
			t.Errorf("%+v.Offset() = %d, want %d", tt.page, got, tt.want)
		}
	}
}
