// Command go is paygate's Go merchant example: a callback receiver that
// verifies signatures, an order-creation client, and a self-test against the
// shared signature vectors. Standard library only.
//
// paygate 的 Go 商户接入示例：回调接收（验签、时间戳、nonce、幂等）、创建订单、签名自检。
//
//	PAYGATE_API_KEY=test_key_123456 go run ./examples/go                  # 回调服务 callback server on 127.0.0.1:3001
//	PAYGATE_API_KEY=test_key_123456 go run ./examples/go create-order -amount 1 -auth sign
//	go run ./examples/go --selftest [vectors.json]
//
// Environment: PAYGATE_API_KEY (required), PAYGATE_URL (http://127.0.0.1:3000),
// HOST (127.0.0.1), PORT (3001), CALLBACK_PATH (/payment-callback).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	log.SetFlags(0)
	args := os.Args[1:]
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	var err error
	switch cmd {
	case "--selftest", "-selftest", "selftest":
		path := ""
		if len(args) > 1 {
			path = args[1]
		}
		os.Exit(runSelftest(path, os.Stdout))
	case "create-order":
		err = createOrderCommand(args[1:])
	case "", "serve":
		err = serve()
	default:
		err = fmt.Errorf("未知命令 unknown command %q: use serve, create-order or --selftest", cmd)
	}
	if err != nil {
		log.Printf("错误 error: %v", err)
		os.Exit(1)
	}
}

// ---- 业务部分 / the business part --------------------------------------------

// orders remembers processed orders. A real shop uses its database with a
// conditional update, e.g.
//
//	UPDATE orders SET status='paid' WHERE pay_order_id=? AND status='pending'
//
// and 0 rows affected means it was processed already.
// 已处理的订单；真实系统请用数据库的条件更新保证只处理一次。
type orders struct {
	mu   sync.Mutex
	paid map[string]Fields
}

// markPaid handles one verified payment; true when this is the first time.
// 处理一笔已验证的付款，返回 true 表示第一次处理。
func (o *orders) markPaid(cb Fields) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, done := o.paid[cb["orderId"]]; done {
		return false
	}
	// 在这里：核对金额（amount 是实付金额，displayAmount 是下单金额）、标记已付款、发货……
	// Here: check the amount (amount was paid, displayAmount was asked), mark paid, ship…
	o.paid[cb["orderId"]] = cb
	return true
}

// callbackHandler verifies a callback and answers {"success":true} only when
// it is genuine. 验证回调，只有真实的回调才回复成功。
func callbackHandler(v *Verifier, o *orders) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			answer(w, http.StatusBadRequest, map[string]any{"success": false, "error": "读取请求体失败"})
			return
		}
		// 数字保留原文，签名才能对上 / keep number text so the signature matches.
		cb, err := ParseFields(body)
		if err != nil {
			log.Printf("✗ 拒绝回调 rejected: %v", err)
			answer(w, http.StatusBadRequest, map[string]any{"success": false, "error": err.Error()})
			return
		}
		if err := v.Check(cb); err != nil {
			log.Printf("✗ 拒绝回调 rejected orderId=%s: %v", cb["orderId"], err)
			answer(w, http.StatusUnauthorized, map[string]any{"success": false, "error": err.Error()})
			return
		}
		log.Printf("✓ 验签通过 verified orderId=%s amount=%s paymentMethod=%s status=%s",
			cb["orderId"], cb["amount"], cb["paymentMethod"], cb["status"])
		if cb["status"] == "success" {
			if o.markPaid(cb) {
				log.Printf("→ 已处理 processed orderId=%s amount=%s", cb["orderId"], cb["amount"])
			} else {
				log.Printf("= 重复回调，之前已处理 duplicate orderId=%s", cb["orderId"])
			}
		}
		answer(w, http.StatusOK, map[string]any{"success": true, "message": "处理成功", "orderId": cb["orderId"]})
	}
}

func answer(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func getenv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func serve() error {
	apiKey := os.Getenv("PAYGATE_API_KEY")
	if apiKey == "" {
		return errors.New("请设置环境变量 PAYGATE_API_KEY（与 paygate 设置页的 API 密钥相同）/ set PAYGATE_API_KEY")
	}
	addr := net.JoinHostPort(getenv("HOST", "127.0.0.1"), getenv("PORT", "3001"))
	path := getenv("CALLBACK_PATH", "/payment-callback")

	mux := http.NewServeMux()
	mux.Handle("POST "+path, callbackHandler(&Verifier{APIKey: apiKey}, &orders{paid: map[string]Fields{}}))
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusOK, map[string]string{"status": "ok", "service": "merchant-example-go"})
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("商户回调示例已启动 listening: http://%s%s", addr, path)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ---- 创建订单 / creating an order ----------------------------------------------

var amountPattern = regexp.MustCompile(`^\d+(\.\d{1,2})?$`)

// createOrder posts an order to paygate. auth is "bearer" (Authorization:
// Bearer <key>) or "sign" (the guide's HMAC signature over the fields).
// 创建订单：bearer 在请求头带密钥；sign 只发签名，不发密钥。
func createOrder(ctx context.Context, baseURL, apiKey, auth string, order map[string]any) (map[string]any, error) {
	header := http.Header{"Content-Type": {"application/json"}}
	body := order
	switch auth {
	case "bearer":
		header.Set("Authorization", "Bearer "+apiKey)
	case "sign":
		var err error
		if body, err = SignRequest(http.MethodPost, "/api/orders", order, apiKey, time.Now()); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("-auth 只能是 bearer 或 sign / must be bearer or sign: %q", auth)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+"/api/orders", bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header = header
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("无法连接 paygate / cannot reach paygate: %w", err)
	}
	defer resp.Body.Close()
	var out map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber() // 金额保留原文 / keep amounts' text
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("paygate %s: answer is not JSON: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || out["success"] != true {
		// paygate 的错误消息会说明怎么改 / paygate's message says what to fix.
		return nil, fmt.Errorf("paygate %d: %v", resp.StatusCode, out["error"])
	}
	return out, nil
}

func createOrderCommand(args []string) error {
	fs := flag.NewFlagSet("create-order", flag.ContinueOnError)
	amount := fs.String("amount", "0.01", "amount in yuan, at most 2 decimals / 金额（元）")
	method := fs.String("method", "alipay", "alipay or wechat")
	product := fs.String("product", "测试商品", "product name / 商品名")
	notifyURL := fs.String("notify-url", "", "callback URL for this order / 本订单的回调地址")
	merchantOrderID := fs.String("merchant-order-id", "", "your own order number / 商户订单号")
	auth := fs.String("auth", "bearer", "bearer or sign")
	if err := fs.Parse(args); err != nil {
		return err
	}
	apiKey := os.Getenv("PAYGATE_API_KEY")
	if apiKey == "" {
		return errors.New("请设置环境变量 PAYGATE_API_KEY / set PAYGATE_API_KEY")
	}
	if !amountPattern.MatchString(*amount) {
		return fmt.Errorf("金额格式不对 bad amount: %q", *amount)
	}
	// json.Number 原样写进 JSON，签名用的也是这段文本 / sent and signed as the same text.
	order := map[string]any{"productName": *product, "amount": json.Number(*amount), "paymentMethod": *method}
	if *notifyURL != "" {
		order["notifyUrl"] = *notifyURL
	}
	if *merchantOrderID != "" {
		order["merchantOrderId"] = *merchantOrderID
	}
	out, err := createOrder(context.Background(), getenv("PAYGATE_URL", "http://127.0.0.1:3000"), apiKey, *auth, order)
	if err != nil {
		return fmt.Errorf("创建订单失败 failed: %w", err)
	}
	fmt.Fprintf(os.Stderr, "订单已创建 order created: %v，请支付 pay exactly %v 元\n", out["orderId"], out["amount"])
	return json.NewEncoder(os.Stdout).Encode(out)
}
