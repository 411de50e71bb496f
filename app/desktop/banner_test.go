package desktop

import (
	"bytes"
	"strings"
	"testing"
)

// The banner shows where phones on the same Wi-Fi open paygate, and says
// when only this computer can.
func TestBannerShowsLANAddresses(t *testing.T) {
	var b bytes.Buffer
	Banner{Version: "v1", URL: "http://localhost:3000", Data: "/data", LAN: []string{"http://192.168.1.5:3000", "http://10.0.0.7:3000"}}.Print(&b)
	out := b.String()
	if !strings.Contains(out, "手机 Phones:     http://192.168.1.5:3000/") || !strings.Contains(out, "http://10.0.0.7:3000/") || strings.Contains(out, "--addr :3000") {
		t.Fatalf("banner:\n%s", out)
	}
	b.Reset()
	Banner{Version: "v1", URL: "http://127.0.0.1:3000", Data: "/data", LocalOnly: true}.Print(&b)
	if out := b.String(); !strings.Contains(out, "--addr :3000") || strings.Contains(out, "Phones") {
		t.Fatalf("banner on loopback only:\n%s", out)
	}
	b.Reset()
	Banner{Version: "v1", URL: "http://localhost:3000", Data: "/data", Public: "https://pay.example.com"}.Print(&b)
	if out := b.String(); !strings.Contains(out, "公网 Public:     https://pay.example.com/") {
		t.Fatalf("banner with a public address:\n%s", out)
	}
}
