package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"paygate/app/money"
)

func fens(v ...money.Fen) map[money.Fen]bool {
	m := map[money.Fen]bool{}
	for _, f := range v {
		m[f] = true
	}
	return m
}

func TestPickSlot(t *testing.T) {
	alternate := SlotPolicy{Mode: SlotAlternate, MaxOffset: 2}.Candidates(100) // 100 101 99 102 98
	tests := []struct {
		name          string
		candidates    []money.Fen
		held, cooling map[money.Fen]bool
		want          money.Fen
		wantOK        bool
	}{
		{"all free: the asked amount", alternate, nil, nil, 100, true},
		{"asked held: next in policy order", alternate, fens(100), nil, 101, true},
		{"asked cooling: next in policy order", alternate, nil, fens(100), 101, true},
		{"held and cooling both skipped", alternate, fens(100, 99), fens(101), 102, true},
		{"only the last is free", alternate, fens(100, 102), fens(101, 99), 98, true},
		{"every one held or cooling", alternate, fens(100, 102, 98), fens(101, 99), 0, false},
		{"every one cooling", alternate, nil, fens(98, 99, 100, 101, 102), 0, false},
		{"amounts outside the candidates do not matter", alternate, fens(97, 103), fens(1), 100, true},
		{"up only", SlotPolicy{Mode: SlotUp, MaxOffset: 2}.Candidates(100), nil, fens(100, 101), 102, true},
		{"down never below 1 fen", SlotPolicy{Mode: SlotDown, MaxOffset: 5}.Candidates(2), fens(2), fens(1), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PickSlot(tt.candidates, tt.held, tt.cooling)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("PickSlot = %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestSlotsExhausted(t *testing.T) {
	p := SlotPolicy{Mode: SlotAlternate, MaxOffset: 2}
	candidates := p.Candidates(100)
	tests := []struct {
		name          string
		cooldown      time.Duration
		held, cooling map[money.Fen]bool
		wantEn        []string
		wantZh        []string
	}{
		{
			name: "all held by unpaid orders", cooldown: 10 * time.Minute, held: fens(98, 99, 100, 101, 102),
			wantEn: []string{"near 1.00 yuan (within ±0.02) is held by an unpaid order", "wait a few minutes"},
			wantZh: []string{"1.00 元附近", "±0.02 元", "未支付的订单占满"},
		},
		{
			name: "some held, some cooling", cooldown: 10 * time.Minute, held: fens(100, 101), cooling: fens(99, 102, 98),
			wantEn: []string{"2 held by unpaid orders", "3 released within the last 10 minutes", "reused only after 10 minutes", "late or repeated payment notification"},
			wantZh: []string{"2 个被未支付的订单占用", "3 个在最近 10 分钟内", "要过 10 分钟才能再用"},
		},
		{
			name: "all cooling, one minute", cooldown: time.Minute, cooling: fens(98, 99, 100, 101, 102),
			wantEn: []string{"0 held by unpaid orders", "5 released within the last 1 minute"},
			wantZh: []string{"5 个在最近 1 分钟内"},
		},
		{
			name: "grace in seconds", cooldown: 90 * time.Second, held: fens(100), cooling: fens(98, 99, 101, 102),
			wantEn: []string{"within the last 90 seconds"},
			wantZh: []string{"最近 90 秒内"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := SlotsExhausted(100, p, tt.cooldown, candidates, tt.held, tt.cooling)
			if err.Code != ESLOTSFULL || err.Field != "amount" {
				t.Fatalf("code %q field %q", err.Code, err.Field)
			}
			for _, w := range tt.wantEn {
				if !strings.Contains(err.En, w) {
					t.Errorf("English %q lacks %q", err.En, w)
				}
			}
			for _, w := range tt.wantZh {
				if !strings.Contains(err.Zh, w) {
					t.Errorf("Chinese %q lacks %q", err.Zh, w)
				}
			}
		})
	}
}

func TestDurationText(t *testing.T) {
	for _, tt := range []struct {
		d      time.Duration
		zh, en string
	}{
		{10 * time.Minute, "10 分钟", "10 minutes"},
		{time.Minute, "1 分钟", "1 minute"},
		{24 * time.Hour, "24 小时", "24 hours"},
		{time.Hour, "1 小时", "1 hour"},
		{90 * time.Minute, "90 分钟", "90 minutes"},
		{90 * time.Second, "90 秒", "90 seconds"},
		{time.Second, "1 秒", "1 second"},
		{1500 * time.Millisecond, "2 秒", "2 seconds"},
	} {
		if zh, en := durationText(tt.d); zh != tt.zh || en != tt.en {
			t.Errorf("durationText(%s) = %q %q, want %q %q", tt.d, zh, en, tt.zh, tt.en)
		}
	}
}

func TestLinkSlots(t *testing.T) {
	tests := []struct {
		name   string
		policy SlotPolicy
		asked  money.Fen
		want   []money.Fen // nil: only the length and the range are checked
		n      int
		lo, hi money.Fen
	}{
		{name: "default ±0.50: the nearest 50 of 101", policy: SlotPolicy{Mode: SlotAlternate, MaxOffset: 50}, asked: 990, n: 50, lo: 966, hi: 1015},
		{name: "±0.02 alternate", policy: SlotPolicy{Mode: SlotAlternate, MaxOffset: 2}, asked: 100, want: []money.Fen{100, 101}},
		{name: "±0.01: the asked amount only", policy: SlotPolicy{Mode: SlotAlternate, MaxOffset: 1}, asked: 100, want: []money.Fen{100}},
		{name: "up only", policy: SlotPolicy{Mode: SlotUp, MaxOffset: 3}, asked: 100, want: []money.Fen{100, 101}},
		{name: "down only, odd count", policy: SlotPolicy{Mode: SlotDown, MaxOffset: 4}, asked: 100, want: []money.Fen{100, 99}},
		{name: "down near 1 fen", policy: SlotPolicy{Mode: SlotDown, MaxOffset: 5}, asked: 2, want: []money.Fen{2}},
		{name: "offset 0: nothing to share", policy: SlotPolicy{Mode: SlotAlternate, MaxOffset: 0}, asked: 100, want: []money.Fen{100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := tt.policy.Candidates(tt.asked)
			got := LinkSlots(all)
			if tt.want != nil {
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Fatalf("LinkSlots(%v) = %v, want %v", all, got, tt.want)
				}
			} else {
				if len(got) != tt.n {
					t.Fatalf("%d link slots of %d, want %d", len(got), len(all), tt.n)
				}
				for _, c := range got {
					if c < tt.lo || c > tt.hi {
						t.Errorf("link slot %d outside %d..%d", c, tt.lo, tt.hi)
					}
				}
			}
			if got[0] != tt.asked {
				t.Errorf("the asked amount is not the links' first choice: %v", got)
			}
			// Links holding every amount they may take leave the API one,
			// whenever there is more than one amount at all.
			held := fens(got...)
			if _, ok := PickSlot(got, held, nil); ok {
				t.Errorf("a link order found an amount beyond the links' share")
			}
			if api, ok := PickSlot(all, held, nil); len(all) > 1 && (!ok || held[api]) {
				t.Errorf("with the links full the API order gets %d, %v; want a free amount of %v", api, ok, all)
			}
		})
	}
}
