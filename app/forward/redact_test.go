package forward

import (
	"strings"
	"testing"

	"paygate/app"
)

func TestRedactHidesKeysAndSigns(t *testing.T) {
	const secret = "Zm9vYmFy%253D"
	tests := []struct{ name, query, body string }{
		{"query sign", "from=a&content=b&timestamp=1&sign=" + secret, ""},
		{"query key", "key=" + secret + "&message=hi", ""},
		{"encoded field name", "%73ign=" + secret, ""},
		{"form body", "", "from=a&content=b&timestamp=1&sign=" + secret},
		{"JSON body", "", `{"from":"a","timestamp":"1","sign":"` + secret + `","text":{"content":"x"}}`},
		{"nested JSON", "", `{"msgtype":"text","text":{"content":"x"},"secret" : "` + secret + `"}`},
	}
	for _, tt := range tests {
		n := Redact(app.Notification{Query: tt.query, Body: tt.body,
			Header: map[string]string{"key": secret, "authorization": "Bearer " + secret, "content-type": "text/plain"}})
		for what, s := range map[string]string{"query": n.Query, "body": n.Body, "key header": n.Header["key"], "authorization": n.Header["authorization"]} {
			if strings.Contains(s, secret) {
				t.Errorf("%s: the %s still shows the secret: %s", tt.name, what, s)
			}
		}
		if n.Header["content-type"] != "text/plain" {
			t.Errorf("%s: an ordinary header was hidden", tt.name)
		}
	}
	// What is not secret stays as it was.
	if got := Redact(app.Notification{Query: "from=a&content=b%26c", Body: "收到转账1元 & more"}); got.Query != "from=a&content=b%26c" || got.Body != "收到转账1元 & more" {
		t.Errorf("changed: %+v", got)
	}
}
