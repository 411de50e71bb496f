package sign

import "testing"

func TestCanonicalMatchesGuide(t *testing.T) {
	// The example from the merchant guide's 签名机制详解.
	fields := map[string]string{
		"orderId":   "ORD1757825452250764",
		"amount":    "0.01",
		"status":    "success",
		"timestamp": "2025-01-13 19:26:15",
		"nonce":     "f8e3d2c1b0a9",
	}
	want := "amount=0.01&api_key=your_secret_key&nonce=f8e3d2c1b0a9&orderId=ORD1757825452250764&status=success&timestamp=2025-01-13 19:26:15"
	if got := Canonical(fields, "your_secret_key"); got != want {
		t.Fatalf("Canonical =\n%s\nwant\n%s", got, want)
	}
}

func TestVerify(t *testing.T) {
	fields := map[string]string{"orderId": "ORD1", "amount": "1", "customerType": ""}
	sig := HMAC(fields, "k")
	tests := []struct {
		name   string
		fields map[string]string
		key    string
		sig    string
		want   bool
	}{
		{"genuine", fields, "k", sig, true},
		{"upper-case hex", fields, "k", "  " + upper(sig), true},
		{"wrong key", fields, "k2", sig, false},
		{"tampered amount", map[string]string{"orderId": "ORD1", "amount": "100"}, "k", sig, false},
		{"signature field ignored", map[string]string{"orderId": "ORD1", "amount": "1", "signature": "x"}, "k", sig, true},
		{"empty signature", fields, "k", "", false},
	}
	for _, tt := range tests {
		if got := Verify(tt.fields, tt.key, tt.sig); got != tt.want {
			t.Errorf("%s: Verify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 32
		}
	}
	return string(b)
}
