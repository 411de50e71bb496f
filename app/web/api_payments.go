package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/app/money"
)

// paymentView is a payment as GET /api/payments shows it (the guide's fields).
type paymentView struct {
	ID             string    `json:"id"`
	Amount         money.Fen `json:"amount"`
	UID            string    `json:"uid,omitempty"` // the order it pays
	OrderID        string    `json:"orderId,omitempty"`
	PaymentMethod  string    `json:"paymentMethod,omitempty"`
	Status         string    `json:"status"`
	Timestamp      string    `json:"timestamp"`
	CallbackStatus string    `json:"callbackStatus,omitempty"`
	CustomerType   *string   `json:"customerType"`
	Confidence     string    `json:"confidence,omitempty"`
	CandidateOrder string    `json:"candidateOrderId,omitempty"`
	MatchedBy      string    `json:"matchedBy,omitempty"`
	MatchedAt      string    `json:"matchedAt,omitempty"`
	Note           string    `json:"note,omitempty"` // why a person recorded it by hand
}

func newPaymentView(p app.Payment) paymentView {
	v := paymentView{
		ID:             p.ID,
		Amount:         p.Amount,
		UID:            p.OrderID,
		OrderID:        p.OrderID,
		PaymentMethod:  string(p.Method),
		Status:         string(p.Status),
		Timestamp:      app.FormatTime(p.ReceivedAt),
		CallbackStatus: string(p.CallbackStatus),
		Confidence:     string(p.Confidence),
		CandidateOrder: p.CandidateOrder,
		MatchedBy:      p.MatchedBy,
		MatchedAt:      app.FormatTime(p.MatchedAt),
		Note:           p.Note,
	}
	if p.CustomerType != "" {
		ct := p.CustomerType
		v.CustomerType = &ct
	}
	return v
}

func (s *Server) listPayments(c echo.Context) error {
	page, err := gateway.ParsePage(c.QueryParam("page"), c.QueryParam("limit"))
	if err != nil {
		return err
	}
	status := app.PaymentStatus(c.QueryParam("status"))
	switch status {
	case "", app.PaymentMatched, app.PaymentUnmatched, app.PaymentIgnored:
	default:
		return app.NewError(app.EINVALID, "status",
			"status 只能是 success、unmatched 或 ignored。",
			"status must be success, unmatched or ignored.")
	}
	list, total, err := s.gw.Payments(c.Request().Context(), status, page)
	if err != nil {
		return err
	}
	data := make([]paymentView, len(list))
	for i, p := range list {
		data[i] = newPaymentView(p)
	}
	return c.JSON(http.StatusOK, map[string]any{
		"success": true, "data": data, "total": total, "page": page.Number, "limit": page.Limit,
	})
}

// attemptView is one logged callback attempt.
type attemptView struct {
	StartedAt   string `json:"startedAt"`
	URL         string `json:"url"`
	HTTPStatus  int    `json:"httpStatus"`
	DurationMS  int64  `json:"durationMs"`
	BodyExcerpt string `json:"bodyExcerpt"`
	Error       string `json:"error,omitempty"`
	Acked       bool   `json:"acknowledged"`
}

func (s *Server) paymentDetail(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.gw.Payment(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	attempts, err := s.gw.CallbackAttempts(ctx, p.ID)
	if err != nil {
		return err
	}
	views := make([]attemptView, len(attempts))
	for i, a := range attempts {
		views[i] = attemptView{
			StartedAt: app.FormatTime(a.StartedAt), URL: a.URL, HTTPStatus: a.HTTPStatus, DurationMS: a.DurationMS,
			BodyExcerpt: a.BodyExcerpt, Error: a.Error, Acked: a.Acked,
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "payment": newPaymentView(p), "callbackAttempts": views})
}

func (s *Server) confirmPayment(c echo.Context) error {
	f, err := s.requestFields(c)
	if err != nil {
		return err
	}
	p, err := s.gw.ConfirmPayment(c.Request().Context(), app.Settlement{PaymentID: c.Param("id"), OrderRef: f["orderId"], Note: f["note"]}, "api")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "payment": newPaymentView(p)})
}

func (s *Server) ignorePayment(c echo.Context) error {
	f, err := s.requestFields(c)
	if err != nil {
		return err
	}
	p, err := s.gw.IgnorePayment(c.Request().Context(), c.Param("id"), f["note"], "api")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"success": true, "payment": newPaymentView(p)})
}

func (s *Server) resendCallback(c echo.Context) error {
	if err := s.gw.ResendCallback(c.Request().Context(), c.Param("id"), "api"); err != nil {
		return err
	}
	msg := map[string]string{"zh": "回调已重新排队发送", "en": "Callback queued again"}[language(c)]
	return c.JSON(http.StatusOK, map[string]any{"success": true, "message": msg})
}
