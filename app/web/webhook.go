package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/money"
)

// webhookAnswer tells the forwarder what became of its notification.
type webhookAnswer struct {
	Success        bool      `json:"success"`
	Kind           string    `json:"kind"`
	Amount         money.Fen `json:"amount,omitempty"`
	PaymentMethod  string    `json:"paymentMethod,omitempty"`
	CustomerType   string    `json:"customerType,omitempty"`
	PaymentID      string    `json:"paymentId,omitempty"`
	OrderID        string    `json:"orderId,omitempty"`
	Matched        bool      `json:"matched"`
	Confidence     string    `json:"confidence,omitempty"`
	Reason         string    `json:"reason,omitempty"`
	NotificationID int64     `json:"notificationId"`
	Message        string    `json:"message"`
}

func (s *Server) webhook(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	res, err := s.gw.Ingest(c.Request().Context(), s.rawRequest(c, body))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newWebhookAnswer(res, language(c)))
}

func newWebhookAnswer(r app.IngestResult, lang string) webhookAnswer {
	a := webhookAnswer{
		Success:        true,
		Kind:           string(r.Kind),
		PaymentID:      r.PaymentID,
		OrderID:        r.OrderID,
		Matched:        r.Matched,
		Confidence:     string(r.Confidence),
		Reason:         r.Reason,
		NotificationID: r.NotificationID,
	}
	if r.Kind == app.OutcomePayment {
		a.Amount, a.PaymentMethod, a.CustomerType = r.Amount, string(r.Method), r.CustomerType
	}
	zh, en := "", ""
	switch {
	case r.Kind == app.OutcomeDuplicate:
		zh, en = "重复的通知，已忽略（之前已记录）。", "Duplicate notification; recorded before, ignored now."
	case r.Kind == app.OutcomeIgnored:
		zh, en = "不是收款通知，已记录但不计为收款。", "Not an incoming payment; stored, not counted."
	case r.Matched:
		zh, en = "收款已匹配订单 "+r.OrderID+"，正在回调商户。", "Payment matched order "+r.OrderID+"; calling the merchant back."
	case r.OrderID == "" && r.Confidence != "":
		zh, en = "收款已记录，匹配把握不足，等待人工确认。", "Payment recorded; the match is uncertain and waits for a person."
	default:
		zh, en = "收款已记录，但没有找到对应的待支付订单，等待人工处理。", "Payment recorded but no pending order fits; it waits for a person."
	}
	if lang == "en" {
		a.Message = en
	} else {
		a.Message = zh
	}
	return a
}
