package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
)

// uploadRoutes take a 收款码 picture, so their bodies may be bigger than
// server.max_body_size: the picture limit plus room for the form around it.
var uploadRoutes = map[string]bool{
	"/admin/settings/qr/:method":         true,
	"/admin/settings/qr/:method/amounts": true,
}

const uploadBodyLimit = gateway.MaxPayQRBytes + 64<<10

// bodyLimit is the most a route's request body may hold.
func (s *Server) bodyLimit(c echo.Context) int64 {
	if uploadRoutes[c.Path()] {
		return max(uploadBodyLimit, s.opts.MaxBodySize)
	}
	return s.opts.MaxBodySize
}

// limitBody caps every request body before anything reads it (handlers, the
// CSRF middleware's form lookup, Go's form parser). A body announced bigger
// than the limit is refused unread, and the server then closes the
// connection instead of reading the rest. A body of unknown length (chunked)
// is read here up to the limit: past it, refused the same way; within it,
// handed on as if its length had been announced.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		limit := s.bodyLimit(c)
		if r.ContentLength > limit {
			return s.refuseBody(c, limit)
		}
		if r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody {
			// The server's own ResponseWriter: told the body was too big, it
			// closes the connection rather than drain it.
			body, err := io.ReadAll(http.MaxBytesReader(c.Response().Writer, r.Body, limit))
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return s.refuseBody(c, limit)
			}
			if err != nil {
				return app.NewError(app.EINVALID, "body", "读取请求体失败：连接中断，请重试。", "Reading the request body failed: the connection broke; retry.")
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		return next(c)
	}
}

// refuseBody answers 413; on a page's route with the pages' headers, so the
// error page a browser shows is styled like the others.
func (s *Server) refuseBody(c echo.Context, limit int64) error {
	refusal := errBodyTooLarge(limit, uploadRoutes[c.Path()])
	if isAdminHTML(c) || isPayerHTML(c) || c.Request().URL.Path == "/submit.php" {
		return s.securityHeaders(func(echo.Context) error { return refusal })(c)
	}
	return refusal
}

func errBodyTooLarge(limit int64, picture bool) error {
	if picture {
		return errPictureTooLarge
	}
	size := strconv.FormatInt(limit, 10) + " bytes"
	switch {
	case limit%(1<<20) == 0:
		size = strconv.FormatInt(limit>>20, 10) + " MB"
	case limit%(1<<10) == 0:
		size = strconv.FormatInt(limit>>10, 10) + " KB"
	}
	return app.NewError(app.ETOOLARGE, "body",
		"提交的内容太大：这个地址最多接受 "+size+"。请只发送需要的字段。",
		"The request body is too large: this address accepts at most "+size+". Send only the fields it needs.")
}

var errPictureTooLarge = app.NewError(app.ETOOLARGE, "image",
	"图片太大（超过 5 MB）：请截图或压缩后再上传。",
	"The picture is larger than 5 MB: take a screenshot or compress it, then upload again.")
