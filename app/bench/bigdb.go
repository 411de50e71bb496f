package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"paygate/app/money"
	"paygate/app/store"
)

// openStopped opens the data directory of a paygate that is not running, to
// fill it; NORMAL sync, as nothing acknowledged depends on these writes.
func openStopped(ctx context.Context, o Options) (*store.DB, error) {
	if o.DataDir == "" {
		return nil, fmt.Errorf("--data-dir is required")
	}
	return store.Open(ctx, o.DataDir, store.Options{Synchronous: "NORMAL"})
}

// runSeed fills a stopped paygate's data directory with Count orders.
func runSeed(ctx context.Context, o Options) error {
	db, err := openStopped(ctx, o)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.SeedSample(ctx, o.Count, time.Now()); err != nil {
		return err
	}
	c, err := db.Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "seed: %d orders, %d payments in %s\n", c.Orders, c.Payments, time.Since(start).Round(time.Second))
	return nil
}

// runPending adds Count pending orders (half by each method, random
// amounts between 1.00 and 2,000.00 yuan, as the orders scenario asks for,
// open for a day) to a stopped paygate's data directory: the orders a busy
// shop has open, among which new orders must be as cheap to create.
func runPending(ctx context.Context, o Options) error {
	db, err := openStopped(ctx, o)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.SeedPending(ctx, o.Count, benchLoFen, benchHiFen, time.Now(), 24*time.Hour); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "pending: %d pending orders between %s and %s in %s\n", o.Count,
		money.Fen(benchLoFen).Fixed2(), money.Fen(benchHiFen).Fixed2(), time.Since(start).Round(time.Millisecond))
	return nil
}

// runStatus asks for the status of random seeded orders.
func runStatus(ctx context.Context, o Options) error {
	c := newClient(o.Concurrency)
	rec := newRecorder()
	elapsed := load(ctx, o.Concurrency, o.Duration, func(w, i int) {
		id := store.SampleOrderID(rand.IntN(max(o.Count, 1)))
		req, _ := http.NewRequest("GET", o.URL+"/api/order-status?orderId="+id, nil)
		code, d, _ := do(c, req)
		rec.add(d, code)
	})
	fmt.Fprintf(o.Out, "order-status (%d orders in the database, concurrency %d): %s\n", o.Count, o.Concurrency, rec.summarize(elapsed))
	return nil
}

// adminClient signs in to the console (creating the admin on a fresh instance).
func adminClient(o Options) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := newClient(4)
	c.Jar = jar
	form := url.Values{"username": {"admin"}, "password": {"bench-password-123"}, "confirm": {"bench-password-123"}}
	for _, path := range []string{"/admin/setup", "/admin/login"} {
		req, _ := http.NewRequest("POST", o.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin") // what a browser sends; echo's CSRF check accepts it
		req.Header.Set("Origin", o.URL)
		do(c, req)
		u, _ := url.Parse(o.URL + "/admin/")
		for _, ck := range jar.Cookies(u) {
			if ck.Name == "paygate_session" {
				return c, nil
			}
		}
	}
	return nil, fmt.Errorf("could not sign in to the admin console")
}

// runAdmin times admin list pages on the big database.
func runAdmin(ctx context.Context, o Options) error {
	c, err := adminClient(o)
	if err != nil {
		return err
	}
	pages := []string{"/admin/orders", "/admin/orders?status=success", "/admin/orders?page=200", "/admin/payments?status=all", "/admin/"}
	for _, p := range pages {
		rec := newRecorder()
		start := time.Now()
		for i := 0; i < 50; i++ {
			req, _ := http.NewRequest("GET", o.URL+p, nil)
			code, d, _ := do(c, req)
			rec.add(d, code)
		}
		fmt.Fprintf(o.Out, "admin page %s: %s\n", p, rec.summarize(time.Since(start)))
	}
	return nil
}

// runExport downloads the 30-day orders CSV and watches the server's memory.
func runExport(ctx context.Context, o Options) error {
	c, err := adminClient(o)
	if err != nil {
		return err
	}
	to := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	from := time.Now().AddDate(0, 0, -31).Format("2006-01-02")
	req, _ := http.NewRequest("GET", o.URL+"/admin/export/download?what=orders&format=csv&from="+from+"&to="+to, nil)
	before, _, _ := rssKB(o.PID)
	peak := before
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if rss, _, err := rssKB(o.PID); err == nil && rss > peak {
					peak = rss
				}
			}
		}
	}()
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		close(stop)
		return err
	}
	lines, size := 0, int64(0)
	r := bufio.NewReaderSize(resp.Body, 1<<16)
	for {
		line, err := r.ReadSlice('\n')
		size += int64(len(line))
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			close(stop)
			return err
		}
		if err == nil {
			lines++
		}
	}
	resp.Body.Close()
	close(stop)
	fmt.Fprintf(o.Out, "export CSV: HTTP %d, %d lines, %.1f MB in %s; server RSS %d MB before, %d MB peak during (pid %d)\n",
		resp.StatusCode, lines, float64(size)/1e6, time.Since(start).Round(time.Millisecond), before/1024, peak/1024, o.PID)
	return nil
}
