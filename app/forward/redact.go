package forward

import (
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
	return n
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
