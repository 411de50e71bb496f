package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/views"
)

// cashier is the 收款播报 screen for a phone or tablet by the till.
func (s *Server) cashier(c echo.Context) error {
	return s.render(c, http.StatusOK, views.CashierPage(s.meta(c, tr(c, "收款播报", "Payment announcer"), "dashboard")))
}

// arrivalView is one new payment as the 收款播报 (assets/announce.js) reads it.
type arrivalView struct {
	Seq    int64  `json:"seq"`
	ID     string `json:"id"`
	Method string `json:"method,omitempty"`
	Amount string `json:"amount"` // 12.50
	At     string `json:"at"`     // Shanghai time
	Status string `json:"status"`
	Say    string `json:"say"` // read aloud: 支付宝到账 12.50 元
	Title  string `json:"title"`
	Body   string `json:"body"`
}

// arrivals answers the 收款播报's poll: the payments recorded after ?after=
// (the last seq it saw) and the seq to ask from next. Without after it
// answers only where to start: the announcer announces what comes next.
func (s *Server) arrivals(c echo.Context) error {
	a, err := s.gw.Arrivals(c.Request().Context(), c.QueryParam("after"))
	if err != nil {
		return err
	}
	lang := uiLang(c)
	list := make([]arrivalView, len(a.List))
	for i, p := range a.List {
		say, title, body := views.Announcement(lang, p)
		list[i] = arrivalView{Seq: p.Seq, ID: p.PaymentID, Method: string(p.Method), Amount: p.Amount.Fixed2(),
			At: app.FormatTime(p.ReceivedAt), Status: string(p.Status), Say: say, Title: title, Body: body}
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, map[string]any{"last": a.Last, "payments": list})
}
