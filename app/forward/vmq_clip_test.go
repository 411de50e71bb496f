package forward

import (
	"strings"
	"testing"

	"paygate/app"
)

// A vMQ push's type and price are echoed cut between characters (issue 16).
func TestVmqEchoesCutBetweenCharacters(t *testing.T) {
	const sent = "一二三四五六七八" // 24 bytes; 20 falls inside 七
	_, typeErr := VmqRequest{Type: sent}.PushMethod()
	_, priceErr := VmqRequest{Price: sent}.PushAmount()
	for name, err := range map[string]error{"type": typeErr, "price": priceErr} {
		for _, lang := range []string{"zh", "en"} {
			if msg := app.ErrorMessage(err, lang); !strings.Contains(msg, "一二三四五六…") {
				t.Errorf("%s (%s): %q does not echo %q cut to 一二三四五六…", name, lang, msg, sent)
			}
		}
	}
}
