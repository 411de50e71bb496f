// Package forward reads what phone forwarders send — the guide's webhook JSON,
// form posts, query strings — into one Message. Pure: it works on a stored
// app.RawRequest, so a stored request can be read again after a fix.
package forward

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"
	"unicode/utf8"

	"paygate/app"
)

// Message is a forwarded notification, before its text is parsed.
type Message struct {
	Via       string // "smsforwarder" when it looks like SmsForwarder, else "webhook"
	Key       string // the secret the forwarder sent (header key, or field key)
	Package   string // Android package name of the app that posted the notification
	Title     string
	Text      string
	SenderID  string // the forwarder's id for this notification, for duplicates
	Timestamp string // forwarder's timestamp field as sent
	Sign      string // forwarder's signature field as sent
	Device    string // device name the forwarder reported
}

// Field names forwarders use, in order of preference.
var (
	// org_content is SmsForwarder's raw notification text; its content and
	// msg are the rendered template, used only when nothing better is there.
	textFields    = []string{"message", "org_content", "text", "content", "msg"}
	packageFields = []string{"package", "packageName", "package_name", "from", "app"}
	senderFields  = []string{"id", "msgId", "msg_id", "notificationId"}
)

// DecodeWebhook reads a POST /webhook (or GET) request. When it cannot, the
// Message it returns with the error still carries the key the request came
// with, if any.
func DecodeWebhook(r app.RawRequest) (Message, error) {
	fields, err := requestFields(r)
	if err != nil {
		// Unreadable; the key in the headers still tells whether a known phone sent it.
		return Message{Via: "webhook", Key: firstNonEmpty(r.Header["key"], bearer(r.Header["authorization"]))}, err
	}
	mergeJSONContent(fields)
	dropUnfilledPlaceholders(fields)
	m := Message{
		Via:       "webhook",
		Key:       firstNonEmpty(r.Header["key"], bearer(r.Header["authorization"]), fields["key"]),
		Title:     strings.TrimSpace(fields["title"]),
		Timestamp: strings.TrimSpace(fields["timestamp"]),
		Sign:      strings.TrimSpace(fields["sign"]),
		Device:    strings.TrimSpace(firstNonEmpty(fields["device"], fields["device_name"], fields["deviceName"])),
	}
	for _, f := range textFields {
		if v := strings.TrimSpace(fields[f]); v != "" {
			m.Text = v
			break
		}
	}
	for _, f := range packageFields {
		if v := strings.TrimSpace(fields[f]); looksLikePackage(v) {
			m.Package = v
			break
		}
	}
	for _, f := range senderFields {
		if v := strings.TrimSpace(fields[f]); v != "" {
			m.SenderID = v
			break
		}
	}
	if _, hasFrom := fields["from"]; (hasFrom && (fields["content"] != "" || fields["org_content"] != "")) || (m.Sign != "" && m.Timestamp != "") {
		m.Via = "smsforwarder"
	}
	// SmsForwarder repeats a failed send with the same timestamp: that makes it the sender id.
	if m.SenderID == "" && m.Timestamp != "" {
		m.SenderID = m.Timestamp
	}
	if m.Text == "" && m.Title == "" {
		return m, app.NewError(app.EINVALID, "message",
			"请求里没有通知内容：请把通知文本放在 message 字段（也可用 content、text、msg），例如 {\"message\":\"收到转账0.01元(支付宝)\"}。",
			"The request has no notification text: put it in the field message (or content, text, msg), e.g. {\"message\":\"收到转账0.01元(支付宝)\"}.")
	}
	return m, nil
}

// requestFields merges query parameters and body fields (JSON object, form,
// multipart form, or plain text as message) into one map; body fields win.
func requestFields(r app.RawRequest) (map[string]string, error) {
	fields := map[string]string{}
	if r.Query != "" {
		q, err := url.ParseQuery(r.Query)
		if err != nil {
			return nil, errBadEncoding("query string")
		}
		for k, v := range q {
			if len(v) > 0 {
				fields[k] = v[0]
			}
		}
	}
	body := bytes.TrimSpace(bytes.TrimPrefix(r.Body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 {
		return fields, nil
	}
	mediaType, params, _ := mime.ParseMediaType(r.Header["content-type"])
	if mediaType == "multipart/form-data" {
		// Before the UTF-8 check: a file part may hold any bytes.
		return multipartFields(body, params["boundary"], fields)
	}
	if !utf8.Valid(body) {
		return nil, errNotUTF8()
	}
	switch {
	// A body that starts with '{' is JSON whatever the header says: curl -d
	// labels everything as a form unless told otherwise.
	case mediaType == "application/json" || strings.HasSuffix(mediaType, "+json") || body[0] == '{':
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil || obj == nil {
			return nil, app.NewError(app.EINVALID, "body",
				"请求体不是有效的 JSON 对象："+jsonProblem(err)+"。请检查转发模板，例如 {\"message\":\"收到转账0.01元(支付宝)\"}。",
				"The request body is not a valid JSON object: "+jsonProblem(err)+". Check the forwarder template, e.g. {\"message\":\"收到转账0.01元(支付宝)\"}.")
		}
		flatten(obj, fields)
	case mediaType == "application/x-www-form-urlencoded" || (mediaType == "" && bytes.ContainsRune(body, '=')):
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errBadEncoding("form body")
		}
		for k, v := range form {
			if len(v) > 0 {
				fields[k] = v[0]
			}
		}
	default:
		// A forwarder that posts the bare notification text.
		fields["message"] = string(body)
	}
	return fields, nil
}

// multipartFields reads the text fields of a multipart/form-data body into
// fields, as a urlencoded form's are read: body fields win over the query,
// the first of a repeated name counts. File parts are skipped, never kept.
// The body is the stored request, already within the body limit, so this
// reads nothing more.
func multipartFields(body []byte, boundary string, fields map[string]string) (map[string]string, error) {
	if boundary == "" {
		return nil, errBadMultipart()
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	seen := map[string]bool{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return fields, nil
		}
		if err != nil {
			return nil, errBadMultipart()
		}
		name := p.FormName()
		if name == "" || p.FileName() != "" || seen[name] {
			continue
		}
		v, err := io.ReadAll(p)
		if err != nil {
			return nil, errBadMultipart()
		}
		if !utf8.Valid(v) {
			return nil, errNotUTF8()
		}
		seen[name] = true
		fields[name] = string(v)
	}
}

func errNotUTF8() error {
	return app.NewError(app.EINVALID, "body",
		"请求体不是 UTF-8 编码（可能是 GBK）：请把转发应用的编码设为 UTF-8。",
		"The request body is not UTF-8 (perhaps GBK): set the forwarder's encoding to UTF-8.")
}

func errBadMultipart() error {
	return app.NewError(app.EINVALID, "body",
		"multipart/form-data 请求体无法读取（缺少 boundary，或分段不完整）：请检查转发应用的设置，或改用 JSON 发送，例如 {\"message\":\"收到转账0.01元(支付宝)\"}。",
		"The multipart/form-data body cannot be read (no boundary, or a part is cut short): check the forwarder's settings, or send JSON instead, e.g. {\"message\":\"收到转账0.01元(支付宝)\"}.")
}

// dropUnfilledPlaceholders removes template placeholders the forwarder left
// as they were: SmsForwarder sends "[timestamp]" and "[sign]" literally in a
// GET template when no secret is set.
func dropUnfilledPlaceholders(fields map[string]string) {
	for k, v := range fields {
		if v = strings.TrimSpace(v); len(v) > 2 && v[0] == '[' && v[len(v)-1] == ']' && !strings.ContainsAny(v, " \n") &&
			strings.IndexFunc(v[1:len(v)-1], func(r rune) bool { return !(r == '_' || r == ':' || r >= 'a' && r <= 'z') }) < 0 {
			delete(fields, k)
		}
	}
}

// mergeJSONContent handles forwarders set up to render their template as a
// JSON object and post it as the form field content: its fields fill in
// what the form lacks.
func mergeJSONContent(fields map[string]string) {
	c := strings.TrimSpace(fields["content"])
	if !strings.HasPrefix(c, "{") {
		return
	}
	var obj map[string]any
	dec := json.NewDecoder(strings.NewReader(c))
	dec.UseNumber()
	if dec.Decode(&obj) != nil {
		return
	}
	inner := map[string]string{}
	flatten(obj, inner)
	delete(fields, "content")
	for k, v := range inner {
		if _, taken := fields[k]; !taken {
			fields[k] = v
		}
	}
}

// flatten copies scalar values into fields; nested objects (DingTalk-style
// {"text":{"content":…}}) contribute their leaves under the leaf name unless
// a top-level field has that name.
func flatten(obj map[string]any, fields map[string]string) {
	var nested []map[string]any
	for k, v := range obj {
		switch v := v.(type) {
		case string:
			fields[k] = v
		case json.Number:
			fields[k] = v.String()
		case bool:
			if v {
				fields[k] = "true"
			} else {
				fields[k] = "false"
			}
		case map[string]any:
			nested = append(nested, v)
		}
	}
	for _, n := range nested {
		inner := map[string]string{}
		flatten(n, inner)
		for k, v := range inner {
			if _, taken := fields[k]; !taken {
				fields[k] = v
			}
		}
	}
}

func jsonProblem(err error) string {
	if err == nil {
		return "it is not an object"
	}
	return err.Error()
}

func errBadEncoding(what string) error {
	return app.NewError(app.EINVALID, "body",
		what+" 的百分号编码有误：请检查转发应用的模板。",
		"The "+what+" has broken percent-encoding: check the forwarder's template.")
}

func bearer(h string) string {
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// looksLikePackage: an Android package name such as com.tencent.mm, not a
// phone number or an app's display name.
func looksLikePackage(s string) bool {
	if s == "" || !strings.Contains(s, ".") || strings.ContainsAny(s, " /:") {
		return false
	}
	for _, c := range s {
		if !(c == '.' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s[0] < '0' || s[0] > '9'
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
