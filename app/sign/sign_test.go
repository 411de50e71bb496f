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

// Known answers computed outside Go (the guide prints a placeholder):
//
//	printf '%s' 'amount=0.01&api_key=…&timestamp=2025-01-13 19:26:15' | openssl dgst -sha256 -hmac your_secret_key
//	printf 'POST\n/api/orders\n%s' 'amount=0.01&api_key=…' | openssl dgst -sha256 -hmac your_secret_key
//
// and checked again with python3's hmac module.
func TestKnownAnswers(t *testing.T) {
	guide := map[string]string{
		"orderId": "ORD1757825452250764", "amount": "0.01", "status": "success",
		"timestamp": "2025-01-13 19:26:15", "nonce": "f8e3d2c1b0a9",
	}
	order := map[string]string{
		"productName": "测试商品", "amount": "0.01", "paymentMethod": "alipay",
		"timestamp": "2025-01-13 19:26:15", "nonce": "f8e3d2c1b0a9",
	}
	tests := []struct {
		name, got, want string
	}{
		{"guide callback example", HMAC(guide, "your_secret_key"),
			"c767072c568fdadec6390e3e30172e589d3819e48173bab77a2073fe35c5cbe7"},
		{"request string", RequestString("POST", "/api/orders", order, "your_secret_key"),
			"POST\n/api/orders\namount=0.01&api_key=your_secret_key&nonce=f8e3d2c1b0a9&paymentMethod=alipay&productName=测试商品&timestamp=2025-01-13 19:26:15"},
		{"request signature", RequestHMAC("POST", "/api/orders", order, "your_secret_key"),
			"dcffcadf12dc03a65313bc0078d9a4f29d9814943c33f05a961ea03bcc8ef689"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s =\n%s\nwant\n%s", tt.name, tt.got, tt.want)
		}
	}
}

// A callback's signature is never a valid request signature, nor one request's
// signature valid for another method or path.
func TestRequestSignatureBindsMethodAndPath(t *testing.T) {
	fields := map[string]string{"orderId": "ORD1", "amount": "1", "timestamp": "1764144605", "nonce": "n1"}
	sig := RequestHMAC("GET", "/api/devices", fields, "k")
	tests := []struct {
		name         string
		method, path string
		sig          string
		want         bool
	}{
		{"genuine", "GET", "/api/devices", sig, true},
		{"callback signature of the same fields", "GET", "/api/devices", HMAC(fields, "k"), false},
		{"other method", "POST", "/api/devices", sig, false},
		{"other path", "GET", "/api/devices/", sig, false},
		{"lower-case method", "get", "/api/devices", sig, false},
		{"path with query", "GET", "/api/devices?x=1", sig, false},
	}
	for _, tt := range tests {
		if got := VerifyRequest(tt.method, tt.path, fields, "k", tt.sig); got != tt.want {
			t.Errorf("%s: VerifyRequest = %v, want %v", tt.name, got, tt.want)
		}
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
