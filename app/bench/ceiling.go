package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
)

// runCeiling serves the do-nothing ceiling at --url until it is stopped:
// the same HTTP stack as paygate (net/http and echo, JSON out), but a POST
// /api/orders handler that reads the body and answers a fixed order without
// checking, storing or syncing anything. .ci/bench loads it in the same
// rounds as paygate, so paygate's orders/s can be given as a share of what
// this machine's HTTP stack and load generator reach at that moment.
func runCeiling(ctx context.Context, o Options) error {
	u, err := url.Parse(o.URL)
	if err != nil {
		return err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	answer := ceilingAnswer{Success: true, OrderID: "ORD17640000000000000000000000", Amount: 1234, DisplayAmount: 1234,
		PaymentMethod: "alipay", Status: "pending", Message: "Order created.", CreatedAt: "2026-11-26 12:00:00",
		ExpiresAt: "2026-11-26 12:15:00", Created: true, PayURL: "http://" + u.Host + "/pay/ORD17640000000000000000000000"}
	e.POST("/api/orders", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, answer)
	})
	e.GET("/health", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	srv := &http.Server{Addr: u.Host, Handler: e, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(o.Out, "ceiling: serving a do-nothing POST /api/orders on %s\n", u.Host)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// ceilingAnswer has the fields and size of paygate's create-order answer.
type ceilingAnswer struct {
	Success       bool   `json:"success"`
	OrderID       string `json:"orderId"`
	Amount        int    `json:"amount"`
	DisplayAmount int    `json:"displayAmount"`
	PaymentMethod string `json:"paymentMethod"`
	Status        string `json:"status"`
	Message       string `json:"message"`
	CreatedAt     string `json:"createdAt"`
	ExpiresAt     string `json:"expiresAt"`
	Created       bool   `json:"created"`
	PayURL        string `json:"payUrl"`
}
