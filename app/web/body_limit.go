package web

import (
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
// than the limit is refused unread; one that turns out bigger (chunked) stops
// being read at the limit, and the answer is 413 whatever the handler made
// of the cut-off body. Either way the server then closes the connection
// instead of reading the rest.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		limit := s.bodyLimit(c)
		if r.ContentLength > limit {
			return s.refuseBody(c, limit)
		}
		if r.Body == nil || r.Body == http.NoBody {
			return next(c)
		}
		body := &cappedBody{ReadCloser: http.MaxBytesReader(c.Response().Writer, r.Body, limit)}
		r.Body = body
		err := next(c)
		if body.over && !c.Response().Committed {
			return s.refuseBody(c, limit)
		}
		return err
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

// cappedBody notes that the body went over its limit.
type cappedBody struct {
	io.ReadCloser
	over bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		b.over = true
	}
	return n, err
}

func errBodyTooLarge(limit int64, picture bool) error {
	if picture {
		return errPictureTooLarge
	}
	size := strconv.FormatInt(limit>>10, 10) + " KB"
	if limit < 1<<10 {
		size = strconv.FormatInt(limit, 10) + " bytes"
	}
	return app.Errorf(app.ETOOLARGE, "body",
		"提交的内容太大：这个地址最多接受 "+size+"。请只发送需要的字段。",
		"The request body is too large: this address accepts at most "+size+". Send only the fields it needs.")
}

var errPictureTooLarge = app.Errorf(app.ETOOLARGE, "image",
	"图片太大（超过 5 MB）：请截图或压缩后再上传。",
	"The picture is larger than 5 MB: take a screenshot or compress it, then upload again.")
