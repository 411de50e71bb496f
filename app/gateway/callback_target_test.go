package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"paygate/app"
	"paygate/app/netguard"
	"paygate/app/store"
)

// Creating an order refuses a notifyUrl aimed inside, except on the owner's
// callback host or an allowed host, and says how to allow it.
func TestNotifyURLAimedInsideIsRefused(t *testing.T) {
	ctx := context.Background()
	g := newTestGateway(t)
	owner := "http://192.168.5.5:8080/paygate/callback"
	if err := g.db.UpdateSettings(ctx, store.SettingsPatch{CallbackURL: &owner}); err != nil {
		t.Fatal(err)
	}
	g.guard, _ = netguard.New([]string{"shop.lan", "10.9.0.0/16"})
	for i, tt := range []struct {
		url     string
		refused bool
	}{
		{"http://127.0.0.1:9000/x", true},
		{"http://localhost/x", true},
		{"http://169.254.169.254/latest/meta-data/", true},
		{"http://10.8.0.1/x", true},
		{"https://shop.example.com/paid", false},
		{"http://192.168.5.5:9999/other", false}, // the owner's callback host
		{"http://shop.lan/notify", false},        // allowed by name
		{"http://10.9.3.4/notify", false},        // allowed CIDR
	} {
		_, _, err := g.CreateOrder(ctx, OrderRequest{ProductName: "p", Amount: fmt.Sprintf("1.%d0", i+1), AmountPresent: true,
			PaymentMethod: "alipay", NotifyURL: tt.url})
		var e *app.Error
		switch {
		case !tt.refused && err != nil:
			t.Errorf("%s: refused: %v", tt.url, err)
		case tt.refused && (!errors.As(err, &e) || e.Code != app.EINVALID || e.Field != "notifyUrl" ||
			!strings.Contains(e.Zh, "callback.allow_hosts") || !strings.Contains(e.En, "callback.allow_hosts")):
			t.Errorf("%s: %v, want a bilingual 400 on notifyUrl naming callback.allow_hosts", tt.url, err)
		}
	}
}
