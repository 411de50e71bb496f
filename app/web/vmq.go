package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"paygate/app"
)

// vmqAnswer is the V免签 servers' answer shape: code 1 = success, -1 = failure.
type vmqAnswer struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data"`
}

// vmqError answers in the V免签 shape with the HTTP status our error codes map to.
func vmqError(c echo.Context, err error) error {
	return c.JSON(statusOf(app.ErrorCode(err)), vmqAnswer{Code: -1, Msg: app.ErrorMessage(err, language(c))})
}

func (s *Server) vmqPush(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return vmqError(c, err)
	}
	res, err := s.gw.VmqPush(c.Request().Context(), s.rawRequest(c, body))
	if err != nil {
		return vmqError(c, err)
	}
	a := newWebhookAnswer(res, language(c))
	msg := "成功"
	if res.Kind == app.OutcomeDuplicate {
		msg = "重复推送，已忽略"
	}
	return c.JSON(http.StatusOK, vmqAnswer{Code: 1, Msg: msg, Data: a})
}

func (s *Server) vmqHeart(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return vmqError(c, err)
	}
	d, err := s.gw.VmqHeart(c.Request().Context(), s.rawRequest(c, body))
	if err != nil {
		return vmqError(c, err)
	}
	return c.JSON(http.StatusOK, vmqAnswer{Code: 1, Msg: "成功", Data: map[string]any{"device": d.Name}})
}

func (s *Server) vmqState(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return vmqError(c, err)
	}
	st, err := s.gw.VmqStatus(c.Request().Context(), s.rawRequest(c, body))
	if err != nil {
		return vmqError(c, err)
	}
	msOrEmpty := func(t interface{ UnixMilli() int64 }, zero bool) string {
		if zero {
			return ""
		}
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return c.JSON(http.StatusOK, vmqAnswer{Code: 1, Msg: "成功", Data: map[string]string{
		"lastheart": msOrEmpty(st.LastHeart, st.LastHeart.IsZero()),
		"lastpay":   msOrEmpty(st.LastPay, st.LastPay.IsZero()),
		"state":     st.State,
		"jkstate":   st.State,
	}})
}
