package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/app/money"
)

// orderCreated is POST /api/orders' answer, as the merchant guide shows.
type orderCreated struct {
	Success         bool      `json:"success"`
	OrderID         string    `json:"orderId"`
	Amount          money.Fen `json:"amount"`
	DisplayAmount   money.Fen `json:"displayAmount"`
	PaymentMethod   *string   `json:"paymentMethod"` // null until the payer picks one
	Status          string    `json:"status"`
	Message         string    `json:"message"`
	CreatedAt       string    `json:"createdAt"`
	ExpiresAt       string    `json:"expiresAt"`
	MerchantOrderID string    `json:"merchantOrderId,omitempty"`
	Created         bool      `json:"created"`
	// PayURL is the checkout page to send the payer to (absolute).
	PayURL string `json:"payUrl"`
}

func (s *Server) createOrder(c echo.Context) error {
	f, err := s.requestFields(c)
	if err != nil {
		return err
	}
	o, created, err := s.gw.CreateOrder(c.Request().Context(), gateway.OrderRequest{
		ProductName:     f["productName"],
		Amount:          f["amount"],
		AmountPresent:   f.has("amount"),
		PaymentMethod:   f["paymentMethod"],
		MerchantOrderID: f["merchantOrderId"],
		NotifyURL:       f["notifyUrl"],
		ReturnURL:       f["returnUrl"],
		Attach:          f["attach"],
		ClientIP:        c.RealIP(),
	})
	if err != nil {
		return err
	}
	msg := map[bool]map[string]string{
		true:  {"zh": "订单创建成功！", "en": "Order created."},
		false: {"zh": "订单已存在（相同的商户订单号），返回原订单。", "en": "Order exists already (same merchantOrderId); here it is."},
	}[created][language(c)]
	return c.JSON(http.StatusOK, orderCreated{
		Success:         true,
		OrderID:         o.ID,
		Amount:          o.PayAmount,
		DisplayAmount:   o.Amount,
		PaymentMethod:   methodJSON(o.Method),
		Status:          string(o.Status),
		Message:         msg,
		CreatedAt:       app.FormatTime(o.CreatedAt),
		ExpiresAt:       app.FormatTime(o.ExpiresAt),
		MerchantOrderID: o.MerchantOrderID,
		Created:         created,
		PayURL:          s.payURL(c, o.ID),
	})
}

// methodJSON is an order's paymentMethod in JSON: null while the payer has
// not picked one (an order created without paymentMethod), so that a
// merchant's code never reads "" as a method.
func methodJSON(m app.Method) *string {
	if m == "" {
		return nil
	}
	s := string(m)
	return &s
}

// orderView is an order as GET /api/order-status shows it.
type orderView struct {
	Success         bool      `json:"success"`
	OrderID         string    `json:"orderId"`
	ProductName     string    `json:"productName"`
	Amount          money.Fen `json:"amount"`
	DisplayAmount   money.Fen `json:"displayAmount"`
	PaymentMethod   *string   `json:"paymentMethod"` // null until the payer picks one
	Status          string    `json:"status"`
	PaymentID       string    `json:"paymentId,omitempty"`
	CreatedAt       string    `json:"createdAt"`
	ExpiresAt       string    `json:"expiresAt"`
	PaidAt          string    `json:"paidAt,omitempty"`
	MerchantOrderID string    `json:"merchantOrderId,omitempty"`
}

func newOrderView(o app.Order) orderView {
	return orderView{
		Success:         true,
		OrderID:         o.ID,
		ProductName:     o.ProductName,
		Amount:          o.PayAmount,
		DisplayAmount:   o.Amount,
		PaymentMethod:   methodJSON(o.Method),
		Status:          string(o.Status),
		PaymentID:       o.PaymentID,
		CreatedAt:       app.FormatTime(o.CreatedAt),
		ExpiresAt:       app.FormatTime(o.ExpiresAt),
		PaidAt:          app.FormatTime(o.PaidAt),
		MerchantOrderID: o.MerchantOrderID,
	}
}

func (s *Server) orderStatus(c echo.Context) error {
	o, err := s.gw.Order(c.Request().Context(), c.QueryParam("orderId"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, newOrderView(o))
}

// orderDetailView adds what only the merchant may see.
type orderDetailView struct {
	orderView
	NotifyURL string `json:"notifyUrl,omitempty"`
	ReturnURL string `json:"returnUrl,omitempty"`
	Attach    string `json:"attach,omitempty"`
	ClosedAt  string `json:"closedAt,omitempty"`
	// ReceivedAmount is what arrived when a person settled the order with a
	// different amount, as the callback's receivedAmount says.
	ReceivedAmount money.Fen `json:"receivedAmount,omitempty"`
}

func (s *Server) orderDetail(c echo.Context) error {
	o, received, err := s.gw.OrderForMerchant(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, orderDetailView{
		orderView: newOrderView(o),
		NotifyURL: o.NotifyURL, ReturnURL: o.ReturnURL, Attach: o.Attach, ClosedAt: app.FormatTime(o.ClosedAt),
		ReceivedAmount: received,
	})
}

func (s *Server) closeOrder(c echo.Context) error {
	o, err := s.gw.CloseOrder(c.Request().Context(), c.Param("id"), "api")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newOrderView(o))
}
