package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"paygate/app/bench"
)

// benchCommand is `paygate bench SCENARIO [flags]`: its flags; app/bench
// does the measuring.
func benchCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || !bench.IsScenario(args[0]) {
		fmt.Fprintln(stderr, bench.Usage)
		return 2
	}
	name := args[0]
	fs := newFlagSet("paygate bench "+name, stderr)
	o := bench.Options{Out: stdout}
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:3000", "paygate to measure (loopback only)")
	fs.StringVar(&o.Key, "key", os.Getenv("PAYGATE_MERCHANT_API_KEY"), "merchant API key")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to load")
	fs.IntVar(&o.Concurrency, "concurrency", 32, "requests in flight")
	fs.IntVar(&o.Rate, "rate", 200, "webhook: payments per second")
	fs.IntVar(&o.Count, "count", 1000, "same-amount: concurrent orders; seed, pending: orders to write")
	fs.StringVar(&o.DataDir, "data-dir", "", "seed: the data directory to fill (paygate stopped)")
	fs.IntVar(&o.PID, "pid", 0, "export/startup: process id of the paygate to watch for memory")
	fs.StringVar(&o.Bin, "bin", "", "startup: the paygate binary")
	fs.StringVar(&o.PProf, "pprof", "", "orders/webhook: address of the server's profiler (a -tags pprof build), e.g. 127.0.0.1:6060")
	fs.StringVar(&o.ProfileOut, "profile-out", "cpu.prof", "orders/webhook: file for the server's CPU profile (with --pprof)")
	if err := parseFlags(fs, args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	return bench.Main(context.Background(), name, o, stderr)
}
