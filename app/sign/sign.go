// Package sign implements the merchant guide's HMAC-SHA256 signature: every
// field but signature, empty ones dropped, api_key added, keys sorted in byte
// order, joined as k=v with '&', keyed by the API key, lowercase hex.
// Callbacks are signed over that string alone; a signed request to paygate
// puts its method and path in front (RequestString), so neither can stand
// for the other.
package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"strings"
)

// Canonical is the string that is signed. Values are used as they are, so
// callers must render numbers in shortest form (money.Fen.String).
func Canonical(fields map[string]string, apiKey string) string {
	keys := make([]string, 0, len(fields)+1)
	for k, v := range fields {
		if k == "signature" || k == "api_key" || v == "" {
			continue
		}
		keys = append(keys, k)
	}
	keys = append(keys, "api_key")
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		if k == "api_key" {
			b.WriteString(apiKey)
		} else {
			b.WriteString(fields[k])
		}
	}
	return b.String()
}

// HMAC signs fields with apiKey.
func HMAC(fields map[string]string, apiKey string) string {
	return hexHMAC(apiKey, Canonical(fields, apiKey))
}

// Verify reports whether signature is fields' signature under apiKey, in
// constant time. Upper-case hex is accepted.
func Verify(fields map[string]string, apiKey, signature string) bool {
	return Equal(HMAC(fields, apiKey), strings.ToLower(strings.TrimSpace(signature)))
}

// RequestString is what a signed request to paygate signs: its method, a
// newline, its URL path without the query, a newline, then Canonical of its
// fields (query parameters and body). A callback's string starts with one
// of paygate's field names and '=', never with a method line, so no
// callback signature is ever a request signature, and a request signed for
// one endpoint is refused at any other.
func RequestString(method, path string, fields map[string]string, apiKey string) string {
	return method + "\n" + path + "\n" + Canonical(fields, apiKey)
}

// RequestHMAC signs a request to paygate with apiKey.
func RequestHMAC(method, path string, fields map[string]string, apiKey string) string {
	return hexHMAC(apiKey, RequestString(method, path, fields, apiKey))
}

// VerifyRequest reports whether signature is the request's signature under
// apiKey, in constant time. Upper-case hex is accepted.
func VerifyRequest(method, path string, fields map[string]string, apiKey, signature string) bool {
	return Equal(RequestHMAC(method, path, fields, apiKey), strings.ToLower(strings.TrimSpace(signature)))
}

func hexHMAC(key, text string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(text))
	return hex.EncodeToString(m.Sum(nil))
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
