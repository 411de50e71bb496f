package e2e

// The owner console of issue 13 over HTTP, against the real binary: a
// payment settled by the shop's own order number pays the order as of when
// the money arrived and tells the shop what arrived (receivedAmount),
// 手动补单 refuses what it must, every manual action is logged once, the
// 收款播报 feed, exports a person can add up, and a dashboard that counts
// phones, not the API key. The browser flows are in browser_console_test.go.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// shop receives signed callbacks: it keeps each body by the order it
// reports and answers success, except on paths ending in /fail.
type shop struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies map[string][]byte // by orderId, the latest
}

func newShop(t *testing.T) *shop {
	t.Helper()
	s := &shop{bodies: map[string][]byte{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var head struct {
			OrderID string `json:"orderId"`
		}
		_ = json.Unmarshal(body, &head)
		s.mu.Lock()
		s.bodies[head.OrderID] = body
		s.mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/fail") {
			w.WriteHeader(500)
			io.WriteString(w, `{"success":false,"error":"库存系统维护中"}`)
			return
		}
		io.WriteString(w, `{"success":true}`)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// callback waits for the callback of orderID, checks its signature as the
// guide says it (fields but signature, api_key added, sorted, HMAC-SHA256)
// and with the guide's own Python code, and returns its fields as sent.
func (s *shop) callback(t *testing.T, orderID string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s.mu.Lock()
		body := s.bodies[orderID]
		s.mu.Unlock()
		if body != nil {
			f := wireText(t, body)
			if hmacHex(testAPIKey, guideCanonical(f, testAPIKey)) != f["signature"] {
				t.Fatalf("callback of %s: bad signature: %s", orderID, body)
			}
			if !verifyWithGuidePython(t, body, testAPIKey) {
				t.Fatalf("callback of %s rejected by the guide's Python verifier: %s", orderID, body)
			}
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("no callback for %s", orderID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// paymentAt is when paygate recorded a payment's money (Shanghai), as its API says.
func paymentAt(t *testing.T, in *instance, paymentID string) string {
	t.Helper()
	_, out := in.call("GET", "/api/payments/"+paymentID, "", bearer)
	p, _ := out["payment"].(map[string]any)
	at, _ := p["timestamp"].(string)
	if at == "" {
		t.Fatalf("payment %s: %v", paymentID, out)
	}
	return at
}

// wantFields fails unless every field has the value wanted ("" = absent).
func wantFields(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s = %q, want %q (all: %v)", what, k, got[k], v, got)
		}
	}
}

func TestConsoleSettleByShopOrderNumber(t *testing.T) {
	s := newShop(t)
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_MERCHANT_CALLBACK_URL="+s.srv.URL+"/cb")
	own := newOwner(t, in)
	o := in.createOrder(`{"productName":"年卡","amount":50,"paymentMethod":"alipay","merchantOrderId":"SHOP-2026-0042"}`)
	id := o["orderId"].(string)
	hook := in.webhook("收到转账45.00元(支付宝)") // a typo of the payer: far from any order
	if hook["matched"] == true {
		t.Fatalf("45.00 matched an order: %v", hook)
	}
	payID := hook["paymentId"].(string)
	arrived := paymentAt(t, in, payID)
	time.Sleep(1100 * time.Millisecond) // the person decides later than the money came

	// The search finds it by the shop's number, the product and the amount.
	for _, q := range []string{"SHOP-2026-0042", "年卡", "50", id} {
		status, page := consoleCall(own, "GET", "/admin/payments/"+payID+"/search?q="+url.QueryEscape(q), nil)
		if status != 200 || !strings.Contains(page, `data-order="`+id+`"`) || !strings.Contains(page, "少付 ¥5.00") {
			t.Fatalf("search %q: %d %s", q, status, page)
		}
	}
	// Confirmed by the shop's own order number, with a note.
	status, page := consoleCall(own, "POST", "/admin/payments/"+payID+"/confirm",
		url.Values{"orderId": {"SHOP-2026-0042"}, "why": {"search"}, "note": {"顾客打错了金额，差价线下补"}})
	if status != 200 || !strings.Contains(page, "少付 ¥5.00") {
		t.Fatalf("confirm by the shop's order number: %d %s", status, page)
	}
	cb := s.callback(t, id)
	wantFields(t, "callback", cb, map[string]string{"orderId": id, "amount": "50", "displayAmount": "50", "receivedAmount": "45",
		"paidAt": arrived, "merchantOrderId": "SHOP-2026-0042", "paymentMethod": "alipay", "status": "success"})
	_, st := in.call("GET", "/api/order-status?orderId="+id, "", nil)
	if st["status"] != "success" || st["paidAt"] != arrived {
		t.Fatalf("order-status after the confirm: %v (money arrived %s)", st, arrived)
	}

	// The order page says what arrived and logs the decision once, with who and why.
	_, page = consoleCall(own, "GET", "/admin/orders/"+id, nil)
	for _, want := range []string{"实收 ¥45.00", "少付 ¥5.00", "商城订单号", "SHOP-2026-0042", "顾客打错了金额，差价线下补"} {
		if !strings.Contains(page, want) {
			t.Errorf("order page lacks %q", want)
		}
	}
	if n := strings.Count(page, "顾客打错了金额，差价线下补"); n != 1 {
		t.Errorf("the confirm and its reason are in the order's timeline %d times, want once", n)
	}
	// The order list flags the short payment.
	_, list := consoleCall(own, "GET", "/admin/orders", nil)
	if !strings.Contains(list, "实收 ¥45.00") {
		t.Errorf("the order list does not flag the short payment")
	}
}

func TestConsoleRecordPaymentByHand(t *testing.T) {
	s := newShop(t)
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_MERCHANT_CALLBACK_URL="+s.srv.URL+"/cb")
	own := newOwner(t, in)
	o := in.createOrder(`{"productName":"蛋糕","amount":88,"paymentMethod":"wechat"}`)
	id := o["orderId"].(string)
	sh := time.FixedZone("CST", 8*3600)
	at := time.Now().In(sh).Add(-3 * time.Minute).Truncate(time.Minute)

	for _, tt := range []struct {
		name   string
		form   url.Values
		status int
		says   string
	}{
		{"no reason", url.Values{"amount": {"88"}, "receivedAt": {at.Format("2006-01-02T15:04")}}, 400, "请写明原因"},
		{"in the future", url.Values{"amount": {"88"}, "receivedAt": {time.Now().In(sh).Add(time.Hour).Format("2006-01-02T15:04")}, "note": {"x"}}, 400, "不能晚于现在"},
		{"not an amount", url.Values{"amount": {"八十八"}, "note": {"x"}}, 400, "amount"},
		{"not a method", url.Values{"method": {"paypal"}, "note": {"x"}}, 400, "paypal"},
	} {
		status, page := consoleCall(own, "POST", "/admin/orders/"+id+"/pay", tt.form)
		if status != tt.status || !strings.Contains(page, tt.says) {
			t.Errorf("%s: %d %s", tt.name, status, page)
		}
	}
	status, page := consoleCall(own, "POST", "/admin/orders/"+id+"/pay", url.Values{
		"amount": {"88.00"}, "method": {"wechat"}, "receivedAt": {at.Format("2006-01-02T15:04")}, "note": {"手机关机，微信账单里已核对"}})
	if status != 200 || !strings.Contains(page, `data-status="success"`) {
		t.Fatalf("补单: %d %s", status, page)
	}
	cb := s.callback(t, id)
	wantFields(t, "callback", cb, map[string]string{"amount": "88", "receivedAmount": "", "paidAt": at.Format("2006-01-02 15:04:05"), "paymentMethod": "wechat"})
	// Once paid, nobody can settle it again.
	if status, page := consoleCall(own, "POST", "/admin/orders/"+id+"/pay", url.Values{"note": {"again"}}); status != 409 || !strings.Contains(page, "已支付") {
		t.Errorf("补单 on a paid order: %d %s", status, page)
	}
	// A closed order cannot take money by hand either.
	closed := in.createOrder(`{"productName":"取消的","amount":9,"paymentMethod":"wechat"}`)["orderId"].(string)
	if status, _ := in.call("POST", "/api/orders/"+closed+"/close", "", bearer); status != 200 {
		t.Fatalf("close: %d", status)
	}
	if status, page := consoleCall(own, "POST", "/admin/orders/"+closed+"/pay", url.Values{"note": {"x"}}); status != 409 || !strings.Contains(page, "已关闭") {
		t.Errorf("补单 on a closed order: %d %s", status, page)
	}
	_, audit := consoleCall(own, "GET", "/admin/audit", nil)
	if n := strings.Count(audit, "手动补单"); n < 1 || !strings.Contains(audit, "手机关机，微信账单里已核对") || strings.Contains(audit, "payment.record") {
		t.Errorf("the audit page does not show the 补单 with its reason (%d)", n)
	}
}

func TestConsoleFirstAPIKeyIsGeneratedNotReplaced(t *testing.T) {
	in := startPaygate(t, t.TempDir())
	own := newOwner(t, in)
	for i := 0; i < 2; i++ {
		if status, _ := consoleCall(own, "POST", "/admin/settings/api-key/rotate", url.Values{}); status != 200 {
			t.Fatalf("key %d: %d", i, status)
		}
	}
	_, audit := consoleCall(own, "GET", "/admin/audit", nil)
	if strings.Count(audit, "生成 API 密钥") != 1 || strings.Count(audit, "更换 API 密钥") != 1 {
		t.Fatalf("the first key must be logged as generated, the second as replaced:\n%s", audit)
	}
}

func TestConsoleArrivalsFeed(t *testing.T) {
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	own := newOwner(t, in)
	get := func(q string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", in.URL+"/admin/arrivals"+q, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := own.cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	in.webhook("收到转账1.00元(支付宝)") // before the announcer started: never announced
	status, first := get("")
	if status != 200 || len(first["payments"].([]any)) != 0 {
		t.Fatalf("a fresh announcer: %d %v", status, first)
	}
	last := fmt.Sprint(first["last"])
	in.createOrder(`{"productName":"苹果","amount":12.5,"paymentMethod":"alipay","merchantOrderId":"A-7"}`)
	in.webhook("收到转账12.50元(支付宝)")
	in.webhook("微信支付收款3.00元")
	_, next := get("?after=" + last)
	list := next["payments"].([]any)
	if len(list) != 2 {
		t.Fatalf("after %s: %v", last, next)
	}
	a, b := list[0].(map[string]any), list[1].(map[string]any)
	if a["say"] != "支付宝到账 12.50 元" || !strings.Contains(a["body"].(string), "苹果") || !strings.Contains(a["body"].(string), "A-7") ||
		b["say"] != "微信到账 3.00 元" || !strings.Contains(b["body"].(string), "没找到对应的订单") {
		t.Fatalf("announcements: %v", list)
	}
	if _, again := get("?after=" + fmt.Sprint(next["last"])); len(again["payments"].([]any)) != 0 {
		t.Fatalf("announced twice: %v", again)
	}
	// A cursor ahead of the database (a restored backup) starts again from its newest payment.
	if _, ahead := get("?after=99999"); len(ahead["payments"].([]any)) != 0 || fmt.Sprint(ahead["last"]) != fmt.Sprint(next["last"]) {
		t.Fatalf("cursor ahead: %v", ahead)
	}
	// Not signed in: 401, not a login page.
	req, _ := http.NewRequest("GET", in.URL+"/admin/arrivals", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("arrivals without a session: %d", resp.StatusCode)
	}
}

func TestConsoleDashboardCountsPhonesAndFinishedOrders(t *testing.T) {
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	own := newOwner(t, in)
	// The guide's curl test with the API key makes the API-key stand-in device.
	in.createOrder(`{"productName":"a","amount":1,"paymentMethod":"alipay"}`)
	in.webhook("收到转账1.00元(支付宝)")
	for i := 0; i < 2; i++ {
		in.createOrder(fmt.Sprintf(`{"productName":"b%d","amount":2,"paymentMethod":"alipay"}`, i))
	}
	_, dash := consoleCall(own, "GET", "/admin/", nil)
	if !strings.Contains(dash, "1/1") || !strings.Contains(dash, "成功率（已结束的 1 单）") || !strings.Contains(dash, "支付宝") {
		t.Fatalf("dashboard before the phone has its own key:\n%s", dash)
	}
	// The real phone gets its own key and reports: it is the one phone.
	status, out := in.call("POST", "/api/devices", `{"name":"店里的手机"}`, bearer)
	dev, _ := out["device"].(map[string]any)
	key, _ := dev["key"].(string)
	if status != 200 || key == "" {
		t.Fatalf("add device: %d %v", status, out)
	}
	if status, _ := in.call("POST", "/webhook", `{"message":"这是一条测试推送信息"}`, map[string]string{"key": key}); status != 200 {
		t.Fatalf("phone test message: %d", status)
	}
	_, dash = consoleCall(own, "GET", "/admin/", nil)
	if !regexp.MustCompile(`>1/1<`).MatchString(dash) || strings.Contains(dash, ">2/2<") {
		t.Fatalf("the API-key stand-in counted as a second phone:\n%s", dash)
	}
	// The feed of the newest payments names the order.
	if !strings.Contains(dash, `id="recent"`) || !strings.Contains(dash, ">a<") && !strings.Contains(dash, "a</span>") {
		t.Fatalf("no recent payments feed:\n%s", dash)
	}
}

func TestConsoleExportsAddUp(t *testing.T) {
	s := newShop(t)
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_MERCHANT_CALLBACK_URL="+s.srv.URL+"/cb")
	own := newOwner(t, in)
	in.createOrder(`{"productName":"甲","amount":10,"paymentMethod":"alipay"}`)
	in.webhook("收到转账10.00元(支付宝)")
	short := in.createOrder(`{"productName":"乙","amount":20,"paymentMethod":"wechat","merchantOrderId":"B-2"}`)
	hook := in.webhook("微信支付收款19.00元")
	if status, _ := consoleCall(own, "POST", "/admin/payments/"+hook["paymentId"].(string)+"/confirm",
		url.Values{"orderId": {short["orderId"].(string)}}); status != 200 {
		t.Fatal("confirm")
	}
	in.createOrder(`{"productName":"丙","amount":5,"paymentMethod":"alipay"}`)
	s.callback(t, short["orderId"].(string))
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")

	// The export page's presets.
	_, page := consoleCall(own, "GET", "/admin/export", nil)
	if !strings.Contains(page, `id="preset-today"`) || !strings.Contains(page, "from="+today+"&amp;to="+today) || !strings.Contains(page, `id="preset-month"`) {
		t.Fatalf("export presets:\n%s", page)
	}
	download := func(what, format string) []byte {
		resp, err := own.cl.Get(in.URL + "/admin/export/download?from=" + today + "&to=" + today + "&what=" + what + "&format=" + format)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s %s: %d %s", what, format, resp.StatusCode, b)
		}
		return b
	}
	machine := regexp.MustCompile(`(?i)\b(pending|success|expired|failed|unmatched|ignored|sent|auto)\b`)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(download("payments", "csv"), []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, c := range r {
			if w := machine.FindString(c); w != "" {
				t.Errorf("payments CSV shows the machine word %q in %q", w, c)
			}
		}
	}
	total := rows[len(rows)-1]
	if len(rows) != 4 || total[0] != "合计" || total[1] != "29.00" {
		t.Fatalf("payments CSV totals: %v", rows)
	}
	var shortRow []string
	for _, r := range rows {
		if len(r) > 5 && r[5] == "B-2" {
			shortRow = r
		}
	}
	if shortRow == nil || shortRow[1] != "19.00" || shortRow[7] != "20.00" || shortRow[8] != "-1.00" || shortRow[10] == "" {
		t.Fatalf("the short payment's row: %v (all %v)", shortRow, rows)
	}

	f, err := excelize.OpenReader(bytes.NewReader(download("orders", "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet, _ := f.GetRows("Sheet1")
	if len(sheet) != 5 || sheet[4][0] != "合计" {
		t.Fatalf("orders XLSX: %v", sheet)
	}
	// Created (column K) is a real date: a number with a date format, not text.
	typ, err := f.GetCellType("Sheet1", "K2")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := f.GetCellValue("Sheet1", "K2", excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue("Sheet1", "K2")
	if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || strings.Contains(raw, "-") || !strings.HasPrefix(shown, today) {
		t.Fatalf("Created is not a date cell: type %v, raw %q, shown %q", typ, raw, shown)
	}
	for _, r := range sheet {
		for _, c := range r {
			if w := machine.FindString(c); w != "" {
				t.Errorf("orders XLSX shows the machine word %q in %q", w, c)
			}
		}
	}
}
