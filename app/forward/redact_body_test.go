package forward

import "testing"

func TestRedactBodyTable(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"JSON key", `{"message":"收到转账1元","key":"dev-secret"}`, `{"message":"收到转账1元","key":"***"}`},
		{"JSON key with spaces and escapes", `{"key" : "a\"b\\c", "text":"x"}`, `{"key" : "***", "text":"x"}`},
		{"JSON secret", `{"secret":"s","title":"t"}`, `{"secret":"***","title":"t"}`},
		{"key inside a value stays", `{"message":"the \"key\":\"x\" text"}`, `{"message":"the \"key\":\"x\" text"}`},
		{"form", `message=hi&key=dev-secret&from=x`, `message=hi&key=***&from=x`},
		{"nothing secret", `{"message":"收到转账1元"}`, `{"message":"收到转账1元"}`},
		{"JSON cut short in the key", `{"message":"x","key":"dev-sec`, `{"message":"x","key":"***"`},
		{"JSON cut short after a backslash", `{"key":"dev\`, `{"key":"***"`},
		{"form cut short in the key", `message=hi&key=dev-sec`, `message=hi&key=***`},
	}
	for _, tt := range tests {
		if got := redactBody(tt.body); got != tt.want {
			t.Errorf("%s: redactBody =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}
