package app

import (
	"testing"
	"time"
)

func TestQuietHoursUntil(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, Shanghai) }
	night := QuietHours{From: 22 * 60, To: 8 * 60}
	early := QuietHours{From: 60, To: 6 * 60}
	for _, tt := range []struct {
		name string
		q    QuietHours
		t    time.Time
		want time.Time
	}{
		{"none", QuietHours{}, at(26, 23, 0), at(26, 23, 0)},
		{"before the night", night, at(26, 21, 59), at(26, 21, 59)},
		{"night, before midnight", night, at(26, 22, 0), at(27, 8, 0)},
		{"night, after midnight", night, at(27, 3, 15), at(27, 8, 0)},
		{"night over", night, at(27, 8, 0), at(27, 8, 0)},
		{"early hours", early, at(26, 1, 30), at(26, 6, 0)},
		{"outside the early hours", early, at(26, 23, 30), at(26, 23, 30)},
		{"UTC input", night, time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC), at(27, 8, 0)}, // 23:00 in Shanghai
	} {
		if got := tt.q.Until(tt.t); !got.Equal(tt.want) {
			t.Errorf("%s: Until(%s) = %s, want %s", tt.name, tt.t, got, tt.want)
		}
	}
}

func TestParseQuietHours(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want QuietHours
		ok   bool
	}{
		{"", QuietHours{}, true},
		{"22:00-08:00", QuietHours{22 * 60, 8 * 60}, true},
		{" 1:30 – 6:05 ", QuietHours{90, 6*60 + 5}, true},
		{"24:00-08:00", QuietHours{}, false},
		{"22-8", QuietHours{}, false},
		{"22:00", QuietHours{}, false},
		{"ab:cd-08:00", QuietHours{}, false},
	} {
		got, err := ParseQuietHours(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseQuietHours(%q) = %v, %v", tt.in, got, err)
		}
		if err == nil && got.String() != "" {
			if back, _ := ParseQuietHours(got.String()); back != got {
				t.Errorf("%q does not read back", got.String())
			}
		}
	}
}

func TestMaskURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=••••5aaa",
		"https://oapi.dingtalk.com/robot/send?access_token=abc":                                     "https://oapi.dingtalk.com/robot/send?access_token=•••",
		"https://user:pass@hooks.example.com/x":                                                     "https://•••@hooks.example.com/x",
		"https://hooks.example.com/paygate":                                                         "https://hooks.example.com/paygate",
	} {
		if got := MaskURL(in); got != want {
			t.Errorf("MaskURL(%q) = %q, want %q", in, got, want)
		}
	}
}
