package examples

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"paygate/app/callback"
	"paygate/app/sign"
)

var update = flag.Bool("update", false, "rewrite testdata/signature-vectors.json from paygate's own signing code")

const vectorsPath = "testdata/signature-vectors.json"

// vectorFile is testdata/signature-vectors.json, read by every example's
// self-test (node verify.js --selftest, php verify.php --selftest, …).
type vectorFile struct {
	Comment []string `json:"comment"`
	Cases   []vector `json:"cases"`
}

// vector is one signed message. JSON is the exact text on the wire (a
// callback body as paygate POSTs it, or a signed API request body), signature
// included; Fields is the same object, for people to read. A verifier parses
// JSON keeping every number's text, drops signature and null (and empty)
// values, adds api_key and must arrive at Canonical and Signature. A request
// also has its Method and Path, which its Canonical starts with:
// METHOD + "\n" + PATH + "\n" + the fields' string.
type vector struct {
	Name      string          `json:"name"`
	Kind      string          `json:"kind"` // "callback" or "request"
	Method    string          `json:"method,omitempty"`
	Path      string          `json:"path,omitempty"`
	APIKey    string          `json:"apiKey"`
	Fields    json.RawMessage `json:"fields"`
	JSON      string          `json:"json"`
	Canonical string          `json:"canonical"`
	Signature string          `json:"signature"`
}

func ptr(s string) *string { return &s }

// callbackCases are callback bodies built by paygate's callback.Body, the type
// the dispatcher sends, so the bytes are exactly what merchants receive.
func callbackCases() []struct {
	name, key string
	body      callback.Body
} {
	base := callback.Body{
		OrderID:       "ORD1764140000123456abcd",
		UID:           "ORD1764140000123456abcd",
		PaymentMethod: "alipay",
		Status:        "success",
		Timestamp:     "2026-11-26 16:10:05",
		Nonce:         "9f1c2b3a4d5e6f70",
		PaidAt:        "2026-11-26 16:10:04",
	}
	with := func(f func(b *callback.Body)) callback.Body {
		b := base
		f(&b)
		return b
	}
	return []struct {
		name, key string
		body      callback.Body
	}{
		{"whole-number amount 1, customerType null", "test_key_123456", with(func(b *callback.Body) {
			b.Amount, b.DisplayAmount = 100, 100
		})},
		{"whole-number amount 100, customerType 新客户", "test_key_123456", with(func(b *callback.Body) {
			b.Amount, b.DisplayAmount = 10000, 10000
			b.PaymentMethod = "wechat"
			b.CustomerType = ptr("新客户")
		})},
		{"amount 0.1, customerType 老顾客", "test_key_123456", with(func(b *callback.Body) {
			b.Amount, b.DisplayAmount = 10, 10
			b.CustomerType = ptr("老顾客")
		})},
		{"amount 1234.5 with merchantOrderId and attach (商品名, & and =)", "test_key_123456", with(func(b *callback.Body) {
			b.Amount, b.DisplayAmount = 123450, 123450
			b.MerchantOrderID = "SHOP-2026-0001"
			b.Attach = "商品名=会员月卡&数量=1 <VIP>"
		})},
		{"adjusted amount 10.01 for displayAmount 10", "test_key_123456", with(func(b *callback.Body) {
			b.Amount, b.DisplayAmount = 1001, 1000
			b.PaymentMethod = "wechat"
		})},
		{"short payment a person matched: receivedAmount 10 for amount 10.01, with merchantOrderId", "test_key_123456", with(func(b *callback.Body) {
			b.Amount, b.DisplayAmount, b.ReceivedAmount = 1001, 1000, 1000
			b.MerchantOrderID = "SHOP-2026-0002"
			b.PaidAt = "2026-11-26 16:02:41"
		})},
		{"API key with special characters", `k&y=密钥 "引号" \ +/%#?`, with(func(b *callback.Body) {
			b.Amount, b.DisplayAmount = 1, 1
			b.CustomerType = ptr("新客户")
		})},
	}
}

// guideExample is the merchant guide's 签名机制详解 example, a callback.
const guideExample = `{"orderId":"ORD1757825452250764","amount":0.01,"status":"success","timestamp":"2025-01-13 19:26:15","nonce":"f8e3d2c1b0a9"}`

// requestCases are signed API request bodies, fields in the order a client
// writes them; paygate signs the literal text it receives.
var requestCases = []struct{ name, key, method, path, body string }{
	{"signed request: create order, amount 100, Unix timestamp", "test_key_123456", "POST", "/api/orders",
		`{"productName":"商品名","amount":100,"paymentMethod":"alipay","notifyUrl":"http://127.0.0.1:3001/payment-callback","timestamp":"1764144605","nonce":"5b0e8c1d2f3a4b6c"}`},
	{"signed request: create order, amount 0.1, Shanghai timestamp, null attach", "test_key_123456", "POST", "/api/orders",
		`{"productName":"测试商品","amount":0.1,"paymentMethod":"wechat","merchantOrderId":"SHOP-7","attach":null,"timestamp":"2026-11-26 16:10:05","nonce":"0a1b2c3d4e5f6071"}`},
	{"signed request: confirm a payment (the path names it)", "test_key_123456", "POST", "/api/payments/PAY17641446050000000000000001/confirm",
		`{"orderId":"ORD1764140000123456abcd","timestamp":"2026-11-26 16:10:05","nonce":"7c6d5e4f3a2b1c0d"}`},
}

// wireFields reads a JSON object the way paygate's API does: strings
// unquoted, numbers and booleans as written, null absent.
func wireFields(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, raw := range obj {
		raw = bytes.TrimSpace(raw)
		switch {
		case string(raw) == "null":
		case raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
			out[k] = s
		default:
			out[k] = string(raw)
		}
	}
	return out
}

// withSignature appends "signature" to a JSON object's text, keeping the rest byte for byte.
func withSignature(body []byte, sig string) []byte {
	body = bytes.TrimSuffix(bytes.TrimSpace(body), []byte("}"))
	return append(body, []byte(`,"signature":"`+sig+`"}`)...)
}

func buildVectors(t *testing.T) []byte {
	t.Helper()
	f := vectorFile{Comment: []string{
		"Signature test vectors for paygate's HMAC-SHA256 signature, generated by examples/vectors_test.go",
		"from paygate's own code (app/callback, app/sign). Regenerate: go test ./examples -run TestSignatureVectors -update",
		"json is the exact text on the wire; parse it keeping each number's text (1, 100, 0.1, 1234.5),",
		"drop signature and null values, add api_key, sort keys by byte order, join k=v with &,",
		"HMAC-SHA256 keyed by apiKey, lowercase hex: that must give canonical and signature.",
		"kind callback: what paygate sends (verify it). kind request: what you send to paygate (sign it);",
		"its canonical is method + \"\\n\" + path (no query) + \"\\n\" + that string, so it is never a valid callback.",
	}}
	add := func(v vector, wire []byte, signed map[string]string) {
		got := wireFields(t, wire)
		delete(got, "signature")
		if !maps.Equal(got, nonEmpty(signed)) {
			t.Fatalf("%s: a verifier parsing the body gets %v, but paygate signed %v", v.Name, got, signed)
		}
		v.Fields, v.JSON = wire, string(wire)
		f.Cases = append(f.Cases, v)
	}
	guide := wireFields(t, []byte(guideExample))
	add(vector{Name: "guide example (签名机制详解)", Kind: "callback", APIKey: "your_secret_key",
		Canonical: sign.Canonical(guide, "your_secret_key"), Signature: sign.HMAC(guide, "your_secret_key")},
		withSignature([]byte(guideExample), sign.HMAC(guide, "your_secret_key")), guide)
	for _, c := range callbackCases() {
		b := c.body
		b.Signature = sign.HMAC(b.Fields(), c.key) // exactly as callback.NewBody signs
		add(vector{Name: c.name, Kind: "callback", APIKey: c.key,
			Canonical: sign.Canonical(b.Fields(), c.key), Signature: b.Signature}, b.JSON(), b.Fields())
	}
	for _, c := range requestCases {
		fields := wireFields(t, []byte(c.body))
		sig := sign.RequestHMAC(c.method, c.path, fields, c.key) // as gateway.CheckSignedRequest verifies
		add(vector{Name: c.name, Kind: "request", Method: c.method, Path: c.path, APIKey: c.key,
			Canonical: sign.RequestString(c.method, c.path, fields, c.key), Signature: sig},
			withSignature([]byte(c.body), sig), fields)
	}
	// No HTML escaping, so canonical strings read as they are ("&", not "\u0026").
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func nonEmpty(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// TestSignatureVectors checks that the shared vectors file is what paygate's
// signing code produces today (-update rewrites it).
func TestSignatureVectors(t *testing.T) {
	want := buildVectors(t)
	if *update {
		if err := os.WriteFile(vectorsPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with paygate's signing code: run go test ./examples -run TestSignatureVectors -update", filepath.ToSlash(vectorsPath))
	}
}

// TestVectorsCoverPitfalls makes sure the file keeps the cases that break
// naive verifiers.
func TestVectorsCoverPitfalls(t *testing.T) {
	var f vectorFile
	if err := json.Unmarshal(buildVectors(t), &f); err != nil {
		t.Fatal(err)
	}
	var all string
	for _, c := range f.Cases {
		all += c.JSON + "\n" + c.APIKey + "\n"
	}
	for _, want := range []string{`"amount":1,`, `"amount":100,`, `"amount":0.1,`, `"amount":1234.5,`, `"customerType":null`, "新客户", "老顾客", "商品名", `\u0026`, `k&y=`} {
		if !bytes.Contains([]byte(all), []byte(want)) {
			t.Errorf("no vector contains %s", want)
		}
	}
}
