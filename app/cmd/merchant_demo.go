package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"paygate/app/merchantdemo"
)

// merchantDemo is `paygate merchant-demo`: a local merchant that verifies and
// prints callbacks, until Ctrl+C.
func merchantDemo(args []string, stdout, stderr io.Writer) int {
	opts, err := merchantDemoFlags(args, os.Getenv, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "paygate merchant-demo:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := merchantdemo.Run(ctx, opts, stdout); err != nil {
		fmt.Fprintln(stderr, "paygate merchant-demo:", err)
		return 1
	}
	return 0
}

// merchantDemoFlags reads merchant-demo's flags; the key defaults to
// PAYGATE_MERCHANT_API_KEY. pflag.ErrHelp is returned for --help.
func merchantDemoFlags(args []string, getenv func(string) string, stderr io.Writer) (merchantdemo.Options, error) {
	var o merchantdemo.Options
	fs := newFlagSet("paygate merchant-demo", stderr)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:3001", "listen address / 监听地址")
	// The default is read after parsing, so --help never prints the key.
	fs.StringVar(&o.Key, "key", "", "API key, as on paygate's settings page (default $PAYGATE_MERCHANT_API_KEY) / API 密钥")
	fs.StringVar(&o.Path, "path", "/payment-callback", "callback path / 回调路径")
	fs.Usage = func() {
		fmt.Fprint(stderr, `paygate merchant-demo — 本地商户回调演示：接收、验证并打印 paygate 的回调
A local merchant that receives, verifies and prints paygate's callbacks.

Usage: paygate merchant-demo [--addr 127.0.0.1:3001] [--key API_KEY] [--path /payment-callback]

`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.Key == "" {
		o.Key = getenv("PAYGATE_MERCHANT_API_KEY")
	}
	if o.Key == "" {
		return o, errors.New("缺少 API 密钥：用 --key 指定，或设置环境变量 PAYGATE_MERCHANT_API_KEY（与 paygate 设置页的 API 密钥相同）/ API key missing: --key or PAYGATE_MERCHANT_API_KEY")
	}
	if !strings.HasPrefix(o.Path, "/") {
		o.Path = "/" + o.Path
	}
	return o, nil
}
