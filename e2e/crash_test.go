package e2e

// Crash safety: under a load of orders and webhooks, kill -9 at random
// moments, restart, and check that the money stayed straight. CI runs a
// short version; PAYGATE_CRASH_KILLS=20 go test -run TestCrashKill9 ./e2e runs
// the full one.

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

type crashLedger struct {
	mu       sync.Mutex
	orders   map[string]string // acknowledged order id → payable amount
	payments map[string]string // acknowledged payment id → order it paid ("" if unmatched)
}

func TestCrashKill9(t *testing.T) {
	kills := 5
	if v, err := strconv.Atoi(os.Getenv("PAYGATE_CRASH_KILLS")); err == nil && v > 0 {
		kills = v
	}
	m := newMerchant(t, "", nil)
	dataDir := t.TempDir()
	pg := startPaygate(t, dataDir,
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL="+m.srv.URL,
		"PAYGATE_SERVER_RATE_LIMIT=0",
		"PAYGATE_CALLBACK_RETRY_SCHEDULE=0s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s")
	ledger := &crashLedger{orders: map[string]string{}, payments: map[string]string{}}
	client := &http.Client{Timeout: 3 * time.Second}
	var notificationSeq atomic.Int64

	for k := 0; k < kills; k++ {
		if k > 0 {
			pg.start()
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if w%2 == 0 {
						crashCreateOrder(client, pg.URL, ledger)
					} else {
						crashPay(client, pg.URL, ledger, notificationSeq.Add(1))
					}
				}
			}(w)
		}
		time.Sleep(time.Duration(150+rand.IntN(600)) * time.Millisecond)
		pg.kill9() // mid-load: requests in flight die with the process
		close(stop)
		wg.Wait()
	}

	// Final restart: let the queue drain.
	pg.start()
	ledger.mu.Lock()
	orders, payments := len(ledger.orders), len(ledger.payments)
	ledger.mu.Unlock()
	if orders == 0 || payments == 0 {
		t.Fatalf("the load made %d orders and %d payments: nothing was tested", orders, payments)
	}
	t.Logf("%d kills, %d acknowledged orders, %d acknowledged payments", kills, orders, payments)

	// No acknowledged order or payment lost; matched payments paid their order.
	for id := range ledger.orders {
		if status, st := pg.call("GET", "/api/order-status?orderId="+id, "", nil); status != 200 {
			t.Fatalf("acknowledged order %s lost: %d %v", id, status, st)
		}
	}
	for id, orderID := range ledger.payments {
		status, detail := pg.call("GET", "/api/payments/"+id, "", bearer)
		if status != 200 {
			t.Fatalf("acknowledged payment %s lost: %d %v", id, status, detail)
		}
		if orderID != "" && detail["payment"].(map[string]any)["orderId"] != orderID {
			t.Fatalf("payment %s acknowledged as paying %s, now %v", id, orderID, detail["payment"])
		}
	}

	// Every matched payment's callback is delivered in the end.
	matched := allMatchedPayments(t, pg)
	deadline := time.Now().Add(60 * time.Second)
	for {
		delivered := map[string]bool{}
		for _, body := range m.calls() {
			var cb map[string]any
			json.Unmarshal(body, &cb)
			delivered[cb["orderId"].(string)] = true
		}
		missing := 0
		for _, orderID := range matched {
			if !delivered[orderID] {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d matched payments never reached the merchant", missing, len(matched))
		}
		time.Sleep(200 * time.Millisecond)
	}
	pg.stop()

	// The database itself: each order paid at most once, each payment pays at
	// most one order, no two pending orders on one slot.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "paygate.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checks := map[string]string{
		"order paid twice":          `SELECT count(*) FROM (SELECT order_id FROM payments WHERE order_id IS NOT NULL GROUP BY order_id HAVING count(*) > 1)`,
		"payment paying two orders": `SELECT count(*) FROM (SELECT payment_id FROM orders WHERE payment_id IS NOT NULL GROUP BY payment_id HAVING count(*) > 1)`,
		"paid order without payment": `SELECT count(*) FROM orders o WHERE o.status = 'success'
			AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = o.payment_id AND p.order_id = o.id)`,
		"two pending orders on one slot": `SELECT count(*) FROM (SELECT 1 FROM orders WHERE status = 'pending' GROUP BY method, pay_amount HAVING count(*) > 1)`,
		"matched payment without callback": `SELECT count(*) FROM payments p WHERE p.status = 'success'
			AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.payment_id = p.id AND c.status = 'sent')`,
	}
	for what, q := range checks {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
}

func crashCreateOrder(client *http.Client, base string, l *crashLedger) {
	amount := fmt.Sprintf("%d.%02d", 1+rand.IntN(3), rand.IntN(100))
	body := `{"productName":"crash","amount":` + amount + `,"paymentMethod":"alipay"}`
	req, _ := http.NewRequest("POST", base+"/api/orders", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return // the process died: not acknowledged
	}
	defer resp.Body.Close()
	var out struct {
		OrderID string  `json:"orderId"`
		Amount  float64 `json:"amount"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&out) != nil || out.OrderID == "" {
		return
	}
	l.mu.Lock()
	l.orders[out.OrderID] = strconv.FormatFloat(out.Amount, 'f', 2, 64)
	l.mu.Unlock()
}

func crashPay(client *http.Client, base string, l *crashLedger, seq int64) {
	l.mu.Lock()
	amount := ""
	for _, a := range l.orders { // any acknowledged amount; some orders are paid already
		amount = a
		break
	}
	l.mu.Unlock()
	if amount == "" {
		time.Sleep(5 * time.Millisecond)
		return
	}
	body, _ := json.Marshal(map[string]string{"message": "你已成功收款" + amount + "元", "id": "crash-" + strconv.FormatInt(seq, 10)})
	req, _ := http.NewRequest("POST", base+"/webhook", bytes.NewReader(body))
	req.Header.Set("key", testAPIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	var out struct {
		Kind      string `json:"kind"`
		PaymentID string `json:"paymentId"`
		OrderID   string `json:"orderId"`
		Matched   bool   `json:"matched"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&out) != nil || out.Kind != "payment" {
		return
	}
	l.mu.Lock()
	if out.Matched {
		l.payments[out.PaymentID] = out.OrderID
	} else {
		l.payments[out.PaymentID] = ""
	}
	l.mu.Unlock()
}

// allMatchedPayments returns the order ids of every matched payment.
func allMatchedPayments(t *testing.T, pg *instance) []string {
	var orders []string
	for page := 1; ; page++ {
		_, out := pg.call("GET", fmt.Sprintf("/api/payments?status=success&limit=100&page=%d", page), "", bearer)
		data, _ := out["data"].([]any)
		for _, p := range data {
			orders = append(orders, p.(map[string]any)["orderId"].(string))
		}
		if len(data) < 100 {
			return orders
		}
	}
}
