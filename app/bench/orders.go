package bench

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// runOrders creates orders as many shops' customers would — a random amount
// between 1.00 and 2,000.00 yuan (benchLoFen…benchHiFen, as .ci/bench-orders.lua
// for wrk) and a random method — as fast as the server takes them. With
// --pprof it records the server's CPU profile meanwhile (--profile-out).
func runOrders(ctx context.Context, o Options) error {
	c := newClient(o.Concurrency)
	rec := newRecorder()
	profile := startProfile(o, o.Duration)
	elapsed := load(ctx, o.Concurrency, o.Duration, func(w, i int) {
		fen := benchLoFen + rand.IntN(benchHiFen-benchLoFen+1)
		method := [2]string{"alipay", "wechat"}[rand.IntN(2)]
		body := fmt.Sprintf(`{"productName":"bench","amount":%d.%02d,"paymentMethod":"%s"}`, fen/100, fen%100, method)
		code, d, _ := do(c, apiRequest(o, "POST", "/api/orders", body))
		rec.add(d, code)
	})
	s := rec.summarize(elapsed)
	fmt.Fprintf(o.Out, "orders (concurrency %d, %s): %s\n", o.Concurrency, o.Duration, s)
	fmt.Fprintln(o.Out, s.resultLine(elapsed))
	return profile()
}

// The amounts the orders scenario and .ci/bench-orders.lua ask for, in fen.
const benchLoFen, benchHiFen = 100, 200_000

// runSameAmount sends Count orders for one amount and method at once: each
// must get its own payable amount or a clean refusal, never a 5xx.
func runSameAmount(ctx context.Context, o Options) error {
	c := newClient(o.Count)
	var (
		mu      sync.Mutex
		amounts = map[string]int{}
		codes   = map[int]int{}
		start   = make(chan struct{})
		wg      sync.WaitGroup
	)
	for i := 0; i < o.Count; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code, _, body := do(c, apiRequest(o, "POST", "/api/orders", `{"productName":"同价","amount":7777.77,"paymentMethod":"wechat"}`))
			mu.Lock()
			defer mu.Unlock()
			codes[code]++
			if code == http.StatusOK {
				amounts[field(body, "amount")]++
			}
		}()
	}
	t := time.Now()
	close(start)
	wg.Wait()
	dup := 0
	for _, n := range amounts {
		dup += n - 1
	}
	server5xx := 0
	for code, n := range codes {
		if code >= 500 || code == 0 {
			server5xx += n
		}
	}
	fmt.Fprintf(o.Out, "same-amount (%d at once, %s): %d got distinct payable amounts, %d refused with 409, %d duplicates, %d 5xx or no answer; answers %v\n",
		o.Count, ms(time.Since(t)), len(amounts), codes[http.StatusConflict], dup, server5xx, codes)
	if dup > 0 || server5xx > 0 {
		return fmt.Errorf("%d duplicate payable amounts, %d server errors", dup, server5xx)
	}
	return nil
}

func apiRequest(o Options, method, path, body string) *http.Request {
	req, _ := http.NewRequest(method, o.URL+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+o.Key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// field pulls one top-level value out of a small JSON answer as text.
func field(body []byte, name string) string {
	key := []byte(`"` + name + `":`)
	i := bytes.Index(body, key)
	if i < 0 {
		return ""
	}
	rest := body[i+len(key):]
	if len(rest) > 0 && rest[0] == '"' {
		end := bytes.IndexByte(rest[1:], '"')
		if end < 0 {
			return ""
		}
		return string(rest[1 : end+1])
	}
	end := bytes.IndexAny(rest, ",}")
	if end < 0 {
		return string(rest)
	}
	return string(rest[:end])
}
