package app

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, want string
		mention  string // refused when set
	}{
		{"", "", ""},
		{" https://shop.example.com/paid ", "https://shop.example.com/paid", ""},
		{"http://shop.example.com:1/n", "http://shop.example.com:1/n", ""},
		{"https://shop.example.com:65535/n", "https://shop.example.com:65535/n", ""},
		{"http://[2001:db8::1]:8443/n", "http://[2001:db8::1]:8443/n", ""},
		{"http://shop.example.com:/n", "http://shop.example.com:/n", ""}, // empty port: the scheme's own
		{"shop.example.com/n", "", "http://"},
		{"ftp://shop.example.com/n", "", "http://"},
		{"http://a:99999999/", "", "99999999"},
		{"https://shop.example.com:65536/n", "", "65536"},
		{"https://shop.example.com:0/n", "", "1"},
		{"http://[2001:db8::1]:70000/n", "", "70000"},
		{"http://a:99999999999999999999999/", "", "65535"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseURL("notifyUrl", tt.in)
			if tt.mention == "" {
				if err != nil || got != tt.want {
					t.Fatalf("%q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if ErrorCode(err) != EINVALID || ErrorField(err) != "notifyUrl" {
				t.Fatalf("%q, %v; want invalid notifyUrl", got, err)
			}
			for _, lang := range []string{"zh", "en"} {
				if msg := ErrorMessage(err, lang); !strings.Contains(msg, tt.mention) || !strings.Contains(msg, "notifyUrl") {
					t.Fatalf("%s message %q does not name notifyUrl and %q", lang, msg, tt.mention)
				}
			}
		})
	}
}
