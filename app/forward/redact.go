package forward

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"paygate/app"
)

// A stored request is kept as it arrived, secrets included, so it can be
// read again after a fix; what people and API clients see of it has the
// secrets hidden: keys, the API key, and signatures (a URL-query sign, and
// one in a form, multipart or JSON body).

const hidden = "***"

// secretFields are the fields forwarders send a key or signature in.
var secretFields = map[string]bool{"key": true, "secret": true, "sign": true, "token": true, "api_key": true}

// secretHeaders are the stored headers that carry a key.
var secretHeaders = map[string]bool{"key": true, "authorization": true}

// jsonSecret matches a JSON string member named like a secret field, also
// one whose value runs to the end: a stranger's request is kept cut short.
var jsonSecret = regexp.MustCompile(`("(?:key|secret|sign|token|api_key)"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?\z)`)

// multipartSecret matches a multipart/form-data part named like a secret
// field: its headers, then its value up to the next boundary line (or the
// end, for a body kept cut short). "filename=" is not "name=".
var multipartSecret = regexp.MustCompile(`(?is)(content-disposition:[^\r\n]*?[;\s]name="?(?:key|secret|sign|token|api_key)"?(?:;[^\r\n]*)?\r?\n(?:[^\r\n]+\r?\n)*?\r?\n).*?(\r?\n--|\z)`)

// Redact returns n with the secrets of its request hidden.
func Redact(n app.Notification) app.Notification {
	orig := n
	n.Query = redactQuery(n.Query)
	n.Body = redactBody(n.Body)
	if n.Header != nil {
		h := make(map[string]string, len(n.Header))
		for k, v := range n.Header {
			if secretHeaders[strings.ToLower(k)] {
				v = hidden
			}
			h[k] = v
		}
		n.Header = h
	}
	return hideDecodedSecrets(orig, n)
}

// minSecret is the shortest key or sign hidden wherever it stands as text:
// shorter ones (a forged sign "x") would blank ordinary letters.
const minSecret = 6

// hideDecodedSecrets covers what the patterns above miss: the webhook decoder
// also reads a JSON name written with escapes ("\u006bey") and a key inside
// the content field's JSON. So the request is read again as the webhook reads
// it; each key or sign it yields is hidden wherever it stands as text (as
// sent, URL-escaped or JSON-escaped). If the shown request still reads as a
// secret (written with escapes of its own), its query and body are hidden
// whole.
func hideDecodedSecrets(orig, shown app.Notification) app.Notification {
	if orig.Endpoint != "/webhook" {
		return shown
	}
	secrets := decodedSecrets(orig, orig.Header)
	if len(secrets) == 0 {
		return shown
	}
	for _, secret := range secrets {
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), jsonEscaped(secret)} {
			shown.Body = strings.ReplaceAll(shown.Body, form, hidden)
			shown.Query = strings.ReplaceAll(shown.Query, form, hidden)
		}
	}
	for _, s := range decodedSecrets(shown, orig.Header) {
		for _, secret := range secrets {
			if s == secret {
				shown.Query, shown.Body = hiddenWhole(shown.Query), hiddenWhole(shown.Body)
				return shown
			}
		}
	}
	return shown
}

// decodedSecrets are the key and sign the webhook decoder reads from n's
// query and body (with header's content type), those long enough to hide.
func decodedSecrets(n app.Notification, header map[string]string) []string {
	h := map[string]string{"content-type": header["content-type"]}
	msg, _ := DecodeWebhook(app.RawRequest{Endpoint: n.Endpoint, Method: n.HTTPMethod, Header: h, Query: n.Query, Body: []byte(n.Body)})
	var out []string
	for _, s := range []string{msg.Key, msg.Sign} {
		if len(s) >= minSecret {
			out = append(out, s)
		}
	}
	return out
}

// jsonEscaped is s as encoding/json writes it inside a string, quotes off.
func jsonEscaped(s string) string {
	b, err := json.Marshal(s)
	if err != nil || len(b) < 2 {
		return s
	}
	return string(b[1 : len(b)-1])
}

func hiddenWhole(s string) string {
	if s == "" {
		return s
	}
	return hidden + "（含以特殊写法出现的密钥或签名，整段隐藏 / a key or sign written in an unusual form: hidden whole）"
}

// redactQuery hides the values of secret fields in a query string or form body.
func redactQuery(q string) string {
	if q == "" {
		return q
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		if name, err := url.QueryUnescape(k); err == nil && secretFields[strings.ToLower(strings.TrimSpace(name))] {
			parts[i] = k + "=" + hidden
		}
	}
	return strings.Join(parts, "&")
}

// redactBody hides secrets in a body: JSON members, multipart parts or form fields.
func redactBody(body string) string {
	if strings.HasPrefix(strings.TrimSpace(body), "{") {
		return jsonSecret.ReplaceAllString(body, `$1"`+hidden+`"`)
	}
	if strings.Contains(strings.ToLower(body), "content-disposition:") {
		// And on to the form rule: a form whose text names a header keeps its key hidden.
		body = multipartSecret.ReplaceAllString(body, "${1}"+hidden+"${2}")
	}
	if strings.Contains(body, "=") {
		return redactQuery(body)
	}
	return body
}
