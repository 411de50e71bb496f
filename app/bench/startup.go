package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"time"
)

// runStartup measures the binary: its size, how long a fresh start takes
// until /health answers, and its memory when idle.
func runStartup(ctx context.Context, o Options) error {
	if o.Bin == "" {
		return fmt.Errorf("--bin is required")
	}
	st, err := os.Stat(o.Bin)
	if err != nil {
		return err
	}
	var times []time.Duration
	idle := 0
	for run := 0; run < 5; run++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		addr := l.Addr().String()
		l.Close()
		dir, err := os.MkdirTemp("", "paygate-bench-")
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, o.Bin)
		cmd.Env = append(os.Environ(), "PAYGATE_SERVER_ADDR="+addr, "PAYGATE_DATA_DIR="+dir, "PAYGATE_SERVER_OPEN_BROWSER=false",
			"PAYGATE_MERCHANT_API_KEY=bench-key-123")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		c := &http.Client{Timeout: time.Second}
		for time.Since(start) < 10*time.Second {
			resp, err := c.Get("http://" + addr + "/health")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
		times = append(times, time.Since(start))
		if run == 0 {
			time.Sleep(3 * time.Second)
			idle, _, _ = rssKB(cmd.Process.Pid)
		}
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	slices.Sort(times)
	fmt.Fprintf(o.Out, "startup: binary %.1f MB; fresh start to /health min %s, median %s, max %s over %d runs; idle RSS %.1f MB\n",
		float64(st.Size())/1e6, ms(times[0]), ms(times[len(times)/2]), ms(times[len(times)-1]), len(times), float64(idle)/1024)
	return nil
}
