package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// runWebhook measures what a shop feels: from the phone's notification
// reaching paygate to the signed callback reaching the merchant. Orders are
// created first; then payments arrive at a steady rate (with --pprof, the
// server's CPU profile is recorded meanwhile).
func runWebhook(ctx context.Context, o Options) error {
	var (
		mu       sync.Mutex
		received = map[string]time.Time{}
	)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	merchant := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		var cb struct {
			OrderID string `json:"orderId"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &cb)
		mu.Lock()
		if _, seen := received[cb.OrderID]; !seen {
			received[cb.OrderID] = now
		}
		mu.Unlock()
		io.WriteString(w, `{"success":true}`)
	})}
	go merchant.Serve(ln)
	defer merchant.Close()

	c := newClient(o.Concurrency)
	if code, _, body := do(c, apiRequest(o, "POST", "/api/config", `{"callbackUrl":"http://`+ln.Addr().String()+`/cb"}`)); code != http.StatusOK {
		return fmt.Errorf("setting the callback URL: HTTP %d %s", code, body)
	}

	n := o.Rate * int(o.Duration.Seconds())
	type order struct{ id, amount string }
	orders := make([]order, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.Concurrency)
	for i := range orders {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			fen := 200_000 + i // 2000.00 + i fen: distinct, far from other scenarios
			code, _, body := do(c, apiRequest(o, "POST", "/api/orders",
				fmt.Sprintf(`{"productName":"bench","amount":%d.%02d,"paymentMethod":"alipay"}`, fen/100, fen%100)))
			if code == http.StatusOK {
				orders[i] = order{field(body, "orderId"), field(body, "amount")}
			}
		}(i)
	}
	wg.Wait()

	run := time.Now().UnixNano() // notification ids unique across runs, or repeats are (rightly) duplicates
	sent := make([]time.Time, n)
	interval := time.Second / time.Duration(o.Rate)
	profile := startProfile(o, o.Duration) // the payments only, not the orders made for them
	start := time.Now()
	failed := 0
	for i, ord := range orders {
		if ord.id == "" {
			failed++
			continue
		}
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		sent[i] = time.Now()
		wg.Add(1)
		go func(i int, ord order) {
			defer wg.Done()
			req := apiRequest(o, "POST", "/webhook", fmt.Sprintf(`{"message":"收到转账%s元(支付宝)","id":"bench-%d-%d"}`, ord.amount, run, i))
			req.Header.Set("key", o.Key)
			if code, _, _ := do(c, req); code != http.StatusOK {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		}(i, ord)
	}
	wg.Wait()
	sendTime := time.Since(start)
	deadline := time.Now().Add(15 * time.Second)
	var lat []time.Duration
	for {
		mu.Lock()
		lat = lat[:0]
		for i, ord := range orders {
			if t, ok := received[ord.id]; ok && ord.id != "" {
				lat = append(lat, t.Sub(sent[i]))
			}
		}
		mu.Unlock()
		if len(lat) >= n-failed || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		return fmt.Errorf("no callback arrived")
	}
	k := len(lat)
	fmt.Fprintf(o.Out, "webhook→callback (%d payments at %d/s over %s): delivered %d, p50 %s, p90 %s, p99 %s, max %s; failed %d\n",
		n, o.Rate, sendTime.Round(time.Millisecond), k, ms(lat[k*50/100]), ms(lat[k*90/100]), ms(lat[k*99/100]), ms(lat[k-1]), failed)
	if k < n-failed {
		return fmt.Errorf("%d callbacks never arrived", n-failed-k)
	}
	return profile()
}
