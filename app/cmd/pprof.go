//go:build pprof

package cmd

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

// A binary built with -tags pprof (only .ci/bench --profile builds one;
// releases never do) serves Go's profiler on PAYGATE_PPROF_ADDR, a loopback
// address, so the benchmark can record where a loaded server spends its time.
func init() {
	addr := os.Getenv("PAYGATE_PPROF_ADDR")
	if addr == "" {
		return
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		fmt.Fprintln(os.Stderr, "paygate: PAYGATE_PPROF_ADDR must be a loopback address such as 127.0.0.1:6060")
		os.Exit(2)
	}
	go func() { _ = http.ListenAndServe(addr, nil) }()
}
