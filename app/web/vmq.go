package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/forward"
)

// The V免签 app's endpoints answer exactly as vmqphp (szvone/vmqphp V1.13,
// index/controller/Index.php) does: HTTP 200 and {"code":1|-1,"msg","data"}
// (keys in that order), data null for heart and push. A refused request is
// a 200 with code -1 too — a bad sign, a wrong clock, a bad price — because
// the fork hulisang/vmqApk re-sends a push 5 times on any other status, and
// the original app reads no status at all. Two answers are not 200, on
// purpose: a failure of paygate itself (5xx) and the rate limit (429), after
// which the push was not taken and the fork's retry is what is wanted.

// registerVmq adds the app's endpoints, at the original paths and the fork's.
func (s *Server) registerVmq(e *echo.Echo, limited echo.MiddlewareFunc) {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		for _, p := range []string{forward.VmqPushPath, forward.VmqForkPushPath} {
			e.Add(m, p, s.vmqPush, limited)
		}
		for _, p := range []string{forward.VmqHeartPath, forward.VmqForkHeartPath} {
			e.Add(m, p, s.vmqHeart, limited)
		}
		e.Add(m, forward.VmqStatePath, s.vmqState, limited)
	}
}

// vmqAnswer is the V免签 servers' answer shape: code 1 = success, -1 = failure.
type vmqAnswer struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data"`
}

// vmqOK is vmqphp's getReturn(1, "成功") with no data.
var vmqOK = vmqAnswer{Code: 1, Msg: "成功"}

// vmqStatus is the HTTP status of a V免签 answer for err: 200 unless
// paygate itself failed (5xx) or the client is rate limited (429).
func vmqStatus(err error) int {
	if status := statusOf(app.ErrorCode(err)); status >= 500 || status == http.StatusTooManyRequests {
		return status
	}
	return http.StatusOK
}

// renderVmqError answers a failed V免签 call in its shape.
func renderVmqError(c echo.Context, err error) {
	_ = c.JSON(vmqStatus(err), vmqAnswer{Code: -1, Msg: app.ErrorMessage(err, language(c))})
}

// vmqPush: a payment, an unmatched amount and a repeat alike are
// {"code":1,"msg":"成功","data":null}, as vmqphp answers a push it took
// (one without an order too); shinian-a/Vmq-App clears the notification
// only on msg "成功". What became of it is on the console's devices page.
func (s *Server) vmqPush(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	if _, err := s.gw.VmqPush(c.Request().Context(), s.rawRequest(c, body)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, vmqOK)
}

func (s *Server) vmqHeart(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	if _, err := s.gw.VmqHeart(c.Request().Context(), s.rawRequest(c, body)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, vmqOK)
}

// vmqState: lastheart and lastpay are Unix seconds as strings, "0" when
// never, as vmqphp keeps them (setting.vvalue); jkstate is vmqphp's name
// and state its API document's, both "1" online, "0" offline, "-1" never seen.
func (s *Server) vmqState(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	st, err := s.gw.VmqStatus(c.Request().Context(), s.rawRequest(c, body))
	if err != nil {
		return err
	}
	seconds := func(t time.Time) string {
		if t.IsZero() {
			return "0"
		}
		return strconv.FormatInt(t.Unix(), 10)
	}
	return c.JSON(http.StatusOK, vmqAnswer{Code: 1, Msg: "成功", Data: vmqStateData{
		LastHeart: seconds(st.LastHeart), LastPay: seconds(st.LastPay), JkState: st.State, State: st.State,
	}})
}

// vmqStateData is getState's data, in vmqphp's order.
type vmqStateData struct {
	LastHeart string `json:"lastheart"`
	LastPay   string `json:"lastpay"`
	JkState   string `json:"jkstate"`
	State     string `json:"state"`
}
