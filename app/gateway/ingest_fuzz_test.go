package gateway

import (
	"context"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/store/storetest"
)

type quietNotifier struct{}

func (quietNotifier) Wake()                     {}
func (quietNotifier) FirstDelay() time.Duration { return 0 }

func newTestGateway(t testing.TB) *Gateway {
	t.Helper()
	db := storetest.OpenDir(t, t.TempDir(), nil)
	storetest.Seed(t, db, "fuzz-api-key", "")
	return New(db, quietNotifier{}, Options{Defaults: configDefaults})
}

// FuzzIngest posts arbitrary requests through the whole ingest path: the
// answer is a result or a client error, never an internal error or a panic.
func FuzzIngest(f *testing.F) {
	f.Add("/webhook", "application/json", "fuzz-api-key", "", `{"message":"收到转账0.01元(支付宝)","id":"1"}`)
	f.Add("/webhook", "application/x-www-form-urlencoded", "", "", "from=com.tencent.mm&content=a&timestamp=1700000000000&sign=x")
	f.Add("/webhook", "text/plain", "fuzz-api-key", "", "\xff\xfe\x00")
	f.Add("/appPush", "", "", "t=1700000000000&type=2&price=0.01&sign=69a79b4e0b12dc16f3621e11cf35fe2f", "")
	f.Add("/appPush", "", "", "t=1&type=9&price=1.0E400&sign=", "")
	// One database for every input: opening and migrating a fresh one per
	// input made coverage-guided runs crawl (a handful of inputs in 15 s).
	g := newTestGateway(f)
	f.Fuzz(func(t *testing.T, endpoint, contentType, key, query, body string) {
		raw := app.RawRequest{
			Endpoint: endpoint, Method: "POST", RemoteIP: "127.0.0.1", Query: query, Body: []byte(body),
			Header: map[string]string{"content-type": contentType, "key": key}, ReceivedAt: time.Now(),
		}
		var err error
		if endpoint == "/appPush" {
			_, err = g.VmqPush(context.Background(), raw)
		} else {
			_, err = g.Ingest(context.Background(), raw)
		}
		if err != nil && app.ErrorCode(err) == app.EINTERNAL {
			t.Fatalf("internal error for a client's request: %v", err)
		}
	})
}
