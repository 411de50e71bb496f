// Package sign implements the merchant guide's HMAC-SHA256 signature: every
// field but signature, empty ones dropped, api_key added, keys sorted in byte
// order, joined as k=v with '&', keyed by the API key, lowercase hex.
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
	m := hmac.New(sha256.New, []byte(apiKey))
	m.Write([]byte(Canonical(fields, apiKey)))
	return hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is fields' signature under apiKey, in
// constant time. Upper-case hex is accepted.
func Verify(fields map[string]string, apiKey, signature string) bool {
	return Equal(HMAC(fields, apiKey), strings.ToLower(strings.TrimSpace(signature)))
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
