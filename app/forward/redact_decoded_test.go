package forward

import (
	"net/url"
	"strings"
	"testing"

	"paygate/app"
)

// The webhook decoder finds a key in places the patterns do not look: a JSON
// name written with escapes, a key inside the content field's JSON (in a
// form, a query or a JSON body). Each of these authenticated as the device
// and was listed with the key in clear (red-team review 2026-12-02).
func TestRedactHidesKeysTheDecoderFinds(t *testing.T) {
	const key = "76ulqowxhhouran3rtmforgq"
	const sign = "Zm9yZ2VkLXNpZ25hdHVyZS1iYXNlNjQ="
	form := "application/x-www-form-urlencoded"
	for _, tt := range []struct {
		name, contentType, query, body string
	}{
		{"escaped JSON name", "application/json", "", `{"\u006bey":"` + key + `","message":"hello"}`},
		{"key inside content, form", form, "", url.Values{"content": {`{"key":"` + key + `","message":"hello"}`}}.Encode()},
		{"key inside content, query", "", url.Values{"content": {`{"key":"` + key + `","message":"hello"}`}}.Encode(), ""},
		{"key inside content, JSON", "application/json", "", `{"content":"{\"key\":\"` + key + `\",\"message\":\"hello\"}"}`},
		{"escaped value", "application/json", "", `{"\u006bey":"\u0037` + key[1:] + `","message":"hello"}`},
		{"sign inside content", form, "", url.Values{"content": {`{"sign":"` + sign + `","timestamp":"1","message":"hello"}`}}.Encode()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := app.Notification{Endpoint: "/webhook", HTTPMethod: "POST", Query: tt.query, Body: tt.body,
				Header: map[string]string{"content-type": tt.contentType}}
			if tt.query != "" {
				n.HTTPMethod = "GET"
			}
			msg, err := DecodeWebhook(app.RawRequest{Endpoint: n.Endpoint, Method: n.HTTPMethod, Header: n.Header, Query: n.Query, Body: []byte(n.Body)})
			if err != nil || msg.Key == "" && msg.Sign == "" {
				t.Fatalf("the decoder finds no secret in it (%v): the case tests nothing", err)
			}
			r := Redact(n)
			shown := r.Query + "\n" + r.Body
			for _, secret := range []string{key, key[1:], sign, url.QueryEscape(sign)} {
				if strings.Contains(shown, secret) {
					t.Fatalf("shown with a secret in clear:\n%s", shown)
				}
			}
			again, _ := DecodeWebhook(app.RawRequest{Endpoint: r.Endpoint, Method: r.HTTPMethod, Header: n.Header, Query: r.Query, Body: []byte(r.Body)})
			if again.Key == msg.Key && msg.Key != "" || again.Sign == msg.Sign && msg.Sign != "" {
				t.Fatalf("the shown request still reads as the secret: %+v", again)
			}
		})
	}
	// A request whose secrets the patterns hide keeps the rest readable.
	n := Redact(app.Notification{Endpoint: "/webhook", HTTPMethod: "POST", Body: `{"key":"` + key + `","message":"收款1元"}`,
		Header: map[string]string{"content-type": "application/json"}})
	if n.Body != `{"key":"***","message":"收款1元"}` {
		t.Fatalf("plain JSON: %s", n.Body)
	}
}
