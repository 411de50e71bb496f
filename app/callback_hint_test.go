package app

import "testing"

func TestRefusedAsExpired(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   bool
	}{
		{401, `{"success":false,"error":"回调已过期"}`, true},                          // the guide's Python and PHP examples
		{401, `{"error":"\u56de\u8c03\u5df2\u8fc7\u671f","success":false}`, true}, // json_encode, Flask jsonify
		{403, `{"error":"Callback Expired"}`, true},
		{401, `timestamp out of range`, true},
		{401, `时间戳不对`, true},
		{401, `{"success":false,"error":"签名验证失败"}`, false},
		{400, `回调已过期`, false},
		{500, `expired`, false},
		{200, `expired`, false},
		{401, ``, false},
	}
	for _, tt := range tests {
		if got := RefusedAsExpired(tt.status, tt.body); got != tt.want {
			t.Errorf("RefusedAsExpired(%d, %q) = %v, want %v", tt.status, tt.body, got, tt.want)
		}
	}
}
