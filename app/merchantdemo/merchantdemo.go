// Package merchantdemo is `paygate merchant-demo`: a local merchant server that
// receives paygate's callbacks, verifies them exactly as a merchant must
// (signature, timestamp within 5 minutes, unused nonce, each order once) and
// prints each one readably in Chinese, so a shop owner can test their set-up
// before writing any code. It answers {"success":true} only to genuine
// callbacks. It is the merchant guide's tools/merchant-server.
package merchantdemo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"paygate/app"
	"paygate/app/sign"
)

// Window is how far a callback's timestamp may be from this machine's clock.
const Window = 5 * time.Minute

// Options are the command line settings (flags: app/cmd).
type Options struct {
	Addr string // listen address
	Key  string // the merchant API key, as on paygate's settings page
	Path string // callback path
}

// Demo is the callback receiver. It is safe for concurrent use.
type Demo struct {
	key  string
	path string
	out  io.Writer
	now  func() time.Time

	mu     sync.Mutex // guards the fields below and serialises output
	nonces map[string]time.Time
	orders map[string]int // orderId → callbacks accepted
}

// New returns a receiver that verifies with key, listens on path and prints to out.
func New(key, path string, out io.Writer) *Demo {
	return &Demo{key: key, path: path, out: out, now: time.Now,
		nonces: map[string]time.Time{}, orders: map[string]int{}}
}

// Run listens on opts.Addr and serves until ctx is done.
func Run(ctx context.Context, opts Options, out io.Writer) error {
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s（端口被占用？换一个 --addr）/ cannot listen: %w", opts.Addr, err)
	}
	d := New(opts.Key, opts.Path, out)
	srv := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	url := "http://" + ln.Addr().String() + opts.Path
	fmt.Fprintf(out, `paygate 商户回调演示已启动 merchant-demo listening: %s
  在 paygate 设置页把「回调地址」设为上面的地址（或创建订单时传 notifyUrl），
  API 密钥与 --key 相同；收到的每个回调都会显示在这里。按 Ctrl+C 退出。
  Set paygate's callback URL to the address above, with the same API key.
%s`, url, TimeNote)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// ServeHTTP handles one request.
func (d *Demo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/health":
		answer(w, http.StatusOK, map[string]any{"status": "ok", "service": "paygate-merchant-demo"})
	case r.URL.Path != d.path:
		d.printf("\n%s 收到 %s %s，但回调路径是 %s（检查 paygate 的回调地址）/ not the callback path\n",
			d.now().In(app.Shanghai).Format(time.TimeOnly), r.Method, r.URL.Path, d.path)
		answer(w, http.StatusNotFound, map[string]any{"success": false, "error": "回调路径是 " + d.path})
	case r.Method != http.MethodPost:
		answer(w, http.StatusMethodNotAllowed, map[string]any{"success": false, "error": "回调只接受 POST / POST only"})
	default:
		d.callback(w, r)
	}
}

// reply is the answer to a callback; paygate counts {"success":true} as acknowledged.
type reply struct {
	Success bool   `json:"success"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

// verdict is the outcome of checking one callback.
type verdict struct {
	ok     bool
	why    string // for people, in Chinese
	detail string // extra help on failure
	first  bool   // first accepted callback of its order
	count  int    // accepted callbacks of its order, this one included
}

func (d *Demo) callback(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	received := d.now()
	var v verdict
	fields, parseErr := parseFields(body)
	switch {
	case err != nil:
		v = verdict{why: "读取请求体失败：" + err.Error()}
	case parseErr != nil:
		v = verdict{why: "请求体不是 JSON 对象（" + parseErr.Error() + "）"}
	default:
		v = d.check(fields, received)
	}

	var b strings.Builder
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %s  %s\n", label, value)
		}
	}
	fmt.Fprintf(&b, "\n──────────────────────────────────────────────\n")
	fmt.Fprintf(&b, "%s 收到回调 POST %s（来自 %s）\n", received.In(app.Shanghai).Format(app.TimeLayout), r.URL.Path, r.RemoteAddr)
	if v.ok {
		row("验签    ", "✓ 通过："+v.why)
	} else {
		row("验签    ", "✗ 未通过："+v.why)
		row("        ", v.detail)
	}
	if fields != nil {
		row("订单号  ", fields["orderId"])
		row("商户单号", fields["merchantOrderId"])
		amount := fields["amount"] + " 元"
		if da := fields["displayAmount"]; da != "" && da != fields["amount"] {
			amount += "（下单金额 " + da + " 元；paygate 为避免同额冲突会调整实付金额）"
		}
		row("金额    ", amount)
		if ra := fields["receivedAmount"]; ra != "" {
			row("实收    ", ra+" 元（与应付金额不同：店主在后台确认了这笔少付或多付的钱）")
		}
		row("支付方式", methodName(fields["paymentMethod"]))
		row("状态    ", statusName(fields["status"]))
		row("客户类型", fields["customerType"])
		row("付款时间", fields["paidAt"])
		row("附加数据", fields["attach"])
		row("发送时间", fields["timestamp"])
	} else {
		row("请求体  ", fmt.Sprintf("%q", app.Clip(string(body), 200)))
	}
	var status int
	var ans reply
	if v.ok {
		switch {
		case fields["status"] != "success":
			row("处理    ", "状态不是 success，不按已支付处理")
		case v.first:
			row("处理    ", "首次收到该订单的回调：真实系统在这里标记订单已支付、发货")
		default:
			row("处理    ", fmt.Sprintf("重复回调（该订单第 %d 次），已处理过，不再重复处理，仍回复成功", v.count))
		}
		status, ans = http.StatusOK, reply{Success: true, Message: "处理成功"}
	} else {
		status, ans = http.StatusUnauthorized, reply{Success: false, Error: v.why}
		if fields == nil {
			status = http.StatusBadRequest
		}
	}
	replyJSON, _ := json.Marshal(ans)
	row("回复    ", fmt.Sprintf("%d %s", status, replyJSON))
	d.printf("%s", b.String())
	answer(w, status, ans)
}

// check verifies signature, timestamp and nonce, then records the order.
func (d *Demo) check(f map[string]string, now time.Time) verdict {
	if f["signature"] == "" {
		return verdict{why: "缺少 signature 字段，这不是 paygate 发来的回调"}
	}
	if !sign.Verify(f, d.key, f["signature"]) {
		masked := strings.Replace(sign.Canonical(f, d.key), "api_key="+d.key, "api_key=***", 1)
		return verdict{
			why:    "签名不正确：--key 与 paygate 设置页的 API 密钥不一致，或数据在路上被改动",
			detail: "本机计算的签名串（api_key 已隐藏）：" + masked,
		}
	}
	sent, err := time.ParseInLocation(app.TimeLayout, f["timestamp"], app.Shanghai)
	if err != nil {
		return verdict{why: fmt.Sprintf("timestamp %q 不是上海时间 YYYY-MM-DD HH:mm:ss", f["timestamp"])}
	}
	if diff := now.Sub(sent); diff > Window || diff < -Window {
		v := verdict{why: fmt.Sprintf("timestamp 与本机时间相差 %s，超过 5 分钟：请校准本机或 paygate 服务器的时钟", diff.Round(time.Second))}
		if off := (diff - 8*time.Hour).Abs(); off <= Window || (diff+8*time.Hour).Abs() <= Window {
			v.detail = "正好差 8 小时左右：时区问题。" + utcHint
		}
		return v
	}
	nonce := f["nonce"]
	if nonce == "" {
		return verdict{why: "缺少 nonce 字段"}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for n, exp := range d.nonces {
		if exp.Before(now) {
			delete(d.nonces, n)
		}
	}
	if _, seen := d.nonces[nonce]; seen {
		return verdict{why: "nonce 已经用过：这是一次重放（paygate 每次发送都用新的 nonce）"}
	}
	d.nonces[nonce] = now.Add(2 * Window)
	d.orders[f["orderId"]]++
	n := d.orders[f["orderId"]]
	return verdict{ok: true, why: "签名正确，时间戳在 5 分钟内，nonce 未用过", first: n == 1, count: n}
}

// TimeNote is printed at start: the one mistake that makes every callback
// fail on a UTC server, said before it happens.
const TimeNote = `  提示：回调的 timestamp 是上海时间（UTC+8，例如 2026-11-26 16:10:00）。你自己的商城服务器
  时区是 UTC 时（多数 Docker 镜像和云服务器），要按 Asia/Shanghai 解析，否则每个回调都会
  被当成“过期”拒绝：Python datetime.strptime(ts, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone(timedelta(hours=8)))，
  Node new Date(ts.replace(" ", "T") + "+08:00")，PHP new DateTime($ts, new DateTimeZone("Asia/Shanghai"))。
  Note: the callback timestamp is Shanghai time (UTC+8); on a UTC server parse it as Asia/Shanghai,
  or every callback is refused as expired.
`

// utcHint says what an 8-hour difference means and how to fix it.
const utcHint = "回调的 timestamp 是上海时间（UTC+8）；如果你的商城服务器时区是 UTC，按本地时区解析会差 8 小时、把每个回调都当成过期。" +
	"请按 Asia/Shanghai 解析（见 paygate 的 /docs#callback-time），或检查本机的时区设置。"

func (d *Demo) printf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.out, format, args...)
}

// parseFields reads a JSON object keeping numbers as written; null is absent.
func parseFields(body []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("null")
	}
	f := make(map[string]string, len(obj))
	for k, v := range obj {
		switch v := v.(type) {
		case nil:
		case string:
			f[k] = v
		case json.Number:
			f[k] = v.String()
		case bool:
			f[k] = fmt.Sprint(v)
		default:
			return nil, fmt.Errorf("字段 %s 是对象或数组", k)
		}
	}
	return f, nil
}

func methodName(m string) string {
	switch m {
	case "alipay":
		return "支付宝 (alipay)"
	case "wechat":
		return "微信 (wechat)"
	}
	return m
}

func statusName(s string) string {
	if s == "success" {
		return "success（支付成功）"
	}
	return s
}

func answer(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
