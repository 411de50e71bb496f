// Package bench is paygate's load generator (`paygate bench`): it measures a
// running paygate on this machine — order creation, webhook to callback,
// slot contention, order-status and admin pages on a big database, CSV
// export memory, start-up — and prints the numbers the README quotes.
// It only ever targets loopback addresses.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options are the flags every scenario shares.
type Options struct {
	URL         string
	Key         string
	Duration    time.Duration
	Concurrency int
	Rate        int    // webhook: payments per second
	Count       int    // same-amount: concurrent orders; seed: orders
	DataDir     string // seed
	PID         int    // export, startup: the paygate process to watch
	Bin         string // startup: the binary to start
	PProf       string // orders, webhook: the server's profiler address (a -tags pprof build)
	ProfileOut  string // orders, webhook: where to write its CPU profile
	Out         io.Writer
}

var scenarios = map[string]func(context.Context, Options) error{
	"orders":      runOrders,
	"webhook":     runWebhook,
	"same-amount": runSameAmount,
	"status":      runStatus,
	"admin":       runAdmin,
	"export":      runExport,
	"seed":        runSeed,
	"startup":     runStartup,
	"ceiling":     runCeiling,
	"pending":     runPending,
}

// Usage is what `paygate bench` prints without a scenario it knows.
const Usage = `usage: paygate bench orders|webhook|same-amount|status|admin|export|seed|pending|startup|ceiling [flags]
  (run with -h after a scenario for its flags; .ci/bench runs them all)`

// IsScenario reports whether name is one of the scenarios Usage lists.
func IsScenario(name string) bool { return scenarios[name] != nil }

// Main runs scenario name with the options from the command line
// (`paygate bench SCENARIO [flags]`) and returns the exit code.
func Main(ctx context.Context, name string, o Options, stderr io.Writer) int {
	if err := checkLoopback(o.URL); err != nil {
		fmt.Fprintln(stderr, "paygate bench:", err)
		return 2
	}
	if err := scenarios[name](ctx, o); err != nil {
		fmt.Fprintln(stderr, "paygate bench "+name+":", err)
		return 1
	}
	return 0
}

// checkLoopback refuses to load anything but this machine.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--url %q is not a URL like http://127.0.0.1:3000", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--url %s: load tests only target this machine (127.0.0.1 or localhost)", raw)
}

func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// recorder collects latencies and status codes from many goroutines.
type recorder struct {
	mu    sync.Mutex
	lat   []time.Duration
	codes map[int]int
	fails int // no HTTP answer
}

func newRecorder() *recorder { return &recorder{codes: map[int]int{}} }

func (r *recorder) add(d time.Duration, code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if code == 0 {
		r.fails++
		return
	}
	r.codes[code]++
	if code < 300 {
		r.lat = append(r.lat, d)
	}
}

// summary is one line of results.
type summary struct {
	ok                  int
	rate                float64
	p50, p90, p99, pmax time.Duration
	codes               map[int]int
	fails               int
}

func (r *recorder) summarize(elapsed time.Duration) summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	s := summary{ok: len(r.lat), rate: float64(len(r.lat)) / elapsed.Seconds(), codes: r.codes, fails: r.fails}
	if n := len(r.lat); n > 0 {
		s.p50, s.p90, s.p99, s.pmax = r.lat[n*50/100], r.lat[n*90/100], r.lat[n*99/100], r.lat[n-1]
	}
	return s
}

func (s summary) String() string {
	codes := make([]string, 0, len(s.codes))
	for c, n := range s.codes {
		codes = append(codes, fmt.Sprintf("%d×%d", n, c))
	}
	sort.Strings(codes)
	return fmt.Sprintf("ok %d, %.0f/s, p50 %s, p90 %s, p99 %s, max %s; answers %s; no answer %d",
		s.ok, s.rate, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.pmax), strings.Join(codes, " "), s.fails)
}

// resultLine is the summary as .ci/bench reads it, in the fields
// .ci/bench-orders.lua prints for wrk.
func (s summary) resultLine(elapsed time.Duration) string {
	non2xx := 0
	for code, n := range s.codes {
		if code >= 300 {
			non2xx += n
		}
	}
	return fmt.Sprintf("RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d",
		s.ok+non2xx, elapsed.Microseconds(), non2xx, s.fails, s.p50.Microseconds(), s.p99.Microseconds(), s.pmax.Microseconds())
}

// startProfile asks the server's profiler (--pprof, a binary built with
// -tags pprof) for a CPU profile of the next d, writing it to
// --profile-out; the returned function waits for it. Without --pprof it
// does nothing.
func startProfile(o Options, d time.Duration) func() error {
	if o.PProf == "" {
		return func() error { return nil }
	}
	if err := checkLoopback("http://" + o.PProf); err != nil {
		return func() error { return err }
	}
	done := make(chan error, 1)
	go func() {
		secs := max(int(d.Seconds())-1, 1)
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", o.PProf, secs))
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			done <- fmt.Errorf("profile: HTTP %d from %s", resp.StatusCode, o.PProf)
			return
		}
		f, err := os.Create(o.ProfileOut)
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		done <- errors.Join(err, f.Close())
	}()
	return func() error { return <-done }
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// load runs fn from n goroutines until the duration is over.
func load(ctx context.Context, n int, d time.Duration, fn func(worker, i int)) time.Duration {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				fn(w, i)
			}
		}(w)
	}
	wg.Wait()
	return time.Since(start)
}

// do sends a request and returns its status and duration; the body is read
// and dropped so connections are reused.
func do(c *http.Client, req *http.Request) (int, time.Duration, []byte) {
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, time.Since(start), nil
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), body
}

// rssKB reads a process's resident and peak memory from /proc (Linux).
func rssKB(pid int) (rss, peak int, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		var v int
		if _, e := fmt.Sscanf(line, "VmRSS: %d kB", &v); e == nil {
			rss = v
		}
		if _, e := fmt.Sscanf(line, "VmHWM: %d kB", &v); e == nil {
			peak = v
		}
	}
	return rss, peak, nil
}
