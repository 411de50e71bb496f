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
		{"multipart key",
			"--b\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhi\r\n--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\ndev-secret\r\n--b--\r\n",
			"--b\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhi\r\n--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n***\r\n--b--\r\n"},
		{"multipart sign with a part header, unquoted name, lower case",
			"--b\nContent-Type: text/plain\ncontent-disposition: form-data; name=sign\n\nabc%3D\n--b\ncontent-disposition: form-data; name=\"title\"\n\nkey\n--b--",
			"--b\nContent-Type: text/plain\ncontent-disposition: form-data; name=sign\n\n***\n--b\ncontent-disposition: form-data; name=\"title\"\n\nkey\n--b--"},
		{"multipart cut short in the secret", "--b\r\nContent-Disposition: form-data; name=\"secret\"\r\n\r\ndev-sec",
			"--b\r\nContent-Disposition: form-data; name=\"secret\"\r\n\r\n***"},
		{"a form whose text names a header", `message=content-disposition: x&key=dev-secret`, `message=content-disposition: x&key=***`},
		{"multipart file named key stays", "--b\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"key\"\r\n\r\nxyz\r\n--b--",
			"--b\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"key\"\r\n\r\nxyz\r\n--b--"},
	}
	for _, tt := range tests {
		if got := redactBody(tt.body); got != tt.want {
			t.Errorf("%s: redactBody =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}
