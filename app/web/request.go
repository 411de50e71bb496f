package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"paygate/app"
)

// fields are a request's parameters as text: query values, then the body's
// (JSON object or form), which win. JSON numbers keep their literal text so a
// signature over them matches what the client signed; null counts as absent.
type fields map[string]string

func (f fields) has(k string) bool { _, ok := f[k]; return ok }

// ptr returns a pointer to the value of k, nil when absent.
func (f fields) ptr(k string) *string {
	if v, ok := f[k]; ok {
		return &v
	}
	return nil
}

// readBody reads the request body up to the configured size.
func (s *Server) readBody(c echo.Context) ([]byte, error) {
	r := c.Request()
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodySize+1))
	if err != nil {
		return nil, app.NewError(app.EINVALID, "body", "读取请求体失败：连接中断，请重试。", "Reading the request body failed: the connection broke; retry.")
	}
	if int64(len(b)) > s.opts.MaxBodySize {
		return nil, errTooLarge()
	}
	return b, nil
}

// readFields decodes query and body into fields.
func (s *Server) readFields(c echo.Context) (fields, error) {
	out := fields{}
	for k, v := range c.QueryParams() {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	body, err := s.readBody(c)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return out, nil
	}
	if !utf8.Valid(body) {
		return nil, app.NewError(app.EINVALID, "body", "请求体必须是 UTF-8 编码。", "The request body must be UTF-8.")
	}
	mediaType, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	// A body that starts with '{' is JSON whatever the header says: curl -d
	// labels everything as a form unless told otherwise.
	if body[0] == '{' && mediaType == echo.MIMEApplicationForm {
		mediaType = echo.MIMEApplicationJSON
	}
	switch {
	case mediaType == echo.MIMEApplicationForm:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, app.NewError(app.EINVALID, "body", "表单编码有误："+err.Error(), "The form body is malformed: "+err.Error())
		}
		for k, v := range form {
			if len(v) > 0 {
				out[k] = v[0]
			}
		}
	case mediaType == echo.MIMEApplicationJSON || mediaType == "" || strings.HasSuffix(mediaType, "+json") || mediaType == "text/plain":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
			return nil, errBadJSON(err)
		}
		for k, raw := range obj {
			v, present, err := jsonScalar(raw)
			if err != nil {
				return nil, app.NewError(app.EINVALID, k,
					"字段 "+k+" 必须是字符串或数字，不能是对象或数组。",
					"Field "+k+" must be a string or a number, not an object or array.")
			}
			if present {
				out[k] = v
			}
		}
	default:
		return nil, app.NewError(app.EUNSUPPORTED, "body",
			"不支持的 Content-Type "+mediaType+"：请发送 application/json。",
			"Unsupported Content-Type "+mediaType+": send application/json.")
	}
	return out, nil
}

func errBadJSON(err error) error {
	detail := "it is not an object"
	if err != nil {
		detail = err.Error()
	}
	return app.NewError(app.EINVALID, "body",
		"请求体不是有效的 JSON 对象（"+detail+"）：请检查引号、逗号和括号，例如 {\"productName\":\"测试商品\",\"amount\":0.01,\"paymentMethod\":\"alipay\"}。",
		"The request body is not a valid JSON object ("+detail+"): check quotes, commas and braces, e.g. {\"productName\":\"test\",\"amount\":0.01,\"paymentMethod\":\"alipay\"}.")
}

// jsonScalar turns a JSON value into text: strings unquoted, numbers and
// booleans as written; null is absent.
func jsonScalar(raw json.RawMessage) (string, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		return s, true, nil
	case '{', '[':
		return "", false, errNotScalar
	}
	return string(raw), true, nil
}

var errNotScalar = app.NewError(app.EINVALID, "", "not a scalar", "not a scalar")

// rawRequest captures a forwarder request for storage before it is read.
func (s *Server) rawRequest(c echo.Context, body []byte) app.RawRequest {
	r := c.Request()
	header := map[string]string{}
	for _, h := range []string{"Content-Type", "User-Agent", "Key", "Authorization", "X-Forwarded-For", "X-Real-Ip"} {
		if v := r.Header.Get(h); v != "" {
			header[strings.ToLower(h)] = v
		}
	}
	return app.RawRequest{
		Endpoint:   r.URL.Path,
		Method:     r.Method,
		RemoteIP:   c.RealIP(),
		Header:     header,
		Query:      r.URL.RawQuery,
		Body:       body,
		ReceivedAt: time.Now(),
	}
}
