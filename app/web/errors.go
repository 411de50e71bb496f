package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/epay"
	"paygate/app/forward"
)

// statusOf is the one mapping from error codes to HTTP statuses.
func statusOf(code string) int {
	switch code {
	case app.EINVALID:
		return http.StatusBadRequest
	case app.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case app.EFORBIDDEN:
		return http.StatusForbidden
	case app.ENOTFOUND:
		return http.StatusNotFound
	case app.ECONFLICT, app.ESLOTSFULL:
		return http.StatusConflict
	case app.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case app.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case app.ERATELIMIT:
		return http.StatusTooManyRequests
	case app.EUNAVAILABLE, app.EDISKFULL:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorBody is the API's error shape.
type errorBody struct {
	Success bool   `json:"success"`
	Error   string `json:"error"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
}

// handleError renders every error a handler returns, and echo's own (404,
// 405, 413), in the API's shape and the client's language.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	noRoute := false
	if errors.As(err, &he) {
		noRoute = he.Code == http.StatusNotFound
		err = fromEchoError(he, c)
	}
	code := app.ErrorCode(err)
	status := statusOf(code)
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if d := app.ErrorRetryAfter(err); d > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
	if forward.IsVmqPath(c.Request().URL.Path) {
		renderVmqError(c, err)
		return
	}
	if isEpayPath(c.Request().URL.Path) {
		if noRoute {
			err = epay.WithCode(epay.CodeNoMethod, err) // 彩虹易支付's "URL Error!"
		}
		s.renderEpayError(c, status, err)
		return
	}
	if isAdminHTML(c) {
		s.renderAdminError(c, status, err, noRoute)
		return
	}
	if isPayerHTML(c) {
		s.renderPayerError(c, status, err, noRoute)
		return
	}
	lang := language(c)
	body := errorBody{Error: app.ErrorMessage(err, lang), Code: code, Field: app.ErrorField(err)}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

func fromEchoError(he *echo.HTTPError, c echo.Context) error {
	path := c.Request().URL.Path
	switch he.Code {
	case http.StatusNotFound:
		return app.NewError(app.ENOTFOUND, "",
			"没有这个地址："+path+"。请对照接入指南检查路径。",
			"No such endpoint: "+path+". Check the path against the integration guide.")
	case http.StatusMethodNotAllowed:
		return app.NewError(app.EINVALID, "",
			path+" 不支持 "+c.Request().Method+" 请求：请对照接入指南使用正确的方法（GET 或 POST）。",
			path+" does not accept "+c.Request().Method+": use the method the guide shows (GET or POST).")
	case http.StatusRequestEntityTooLarge:
		return errTooLarge()
	case http.StatusUnauthorized:
		return app.NewError(app.EUNAUTHORIZED, "", "需要登录或 API 密钥。", "Authentication required.")
	case http.StatusTooManyRequests:
		return app.NewError(app.ERATELIMIT, "", "请求太频繁：请稍后再试。", "Too many requests: try again shortly.")
	}
	if he.Code >= 400 && he.Code < 500 {
		return app.NewError(app.EINVALID, "", "请求无效。", "Bad request.")
	}
	if he.Internal != nil {
		return he.Internal
	}
	return errors.New(strings.TrimSpace(http.StatusText(he.Code)))
}

func errTooLarge() error {
	return app.NewError(app.ETOOLARGE, "body",
		"请求体太大：请只发送接口需要的字段。",
		"The request body is too large: send only the fields the endpoint needs.")
}

// language is "en" when the client asks for English (?lang=en or
// Accept-Language preferring en), else "zh".
func language(c echo.Context) string {
	if l := c.QueryParam("lang"); l != "" {
		if strings.HasPrefix(strings.ToLower(l), "en") {
			return "en"
		}
		return "zh"
	}
	for _, part := range strings.Split(c.Request().Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "zh"
}
