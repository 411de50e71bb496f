package views

import (
	"context"
	"testing"
)

func TestAttemptErrorInChinese(t *testing.T) {
	zh := context.Background()
	en := context.WithValue(zh, langKey, "en")
	tests := []struct{ in, want string }{
		{"HTTP 500: the merchant must answer 2xx", "商城返回 HTTP 500，需要返回 2xx。"},
		{"no answer within 5s", "商城网站在 5s 内没有回应。"},
		{`HTTP 200 but the body is not {"success": true} or "success"`, "商城返回 HTTP 200，但内容不是 {\"success\":true} 或 success。"},
		{"HTTP 302 redirect not followed: point the callback URL at the final address", "商城返回了 HTTP 302 跳转，paygate 不跟随跳转：请把通知地址改成最终地址。"},
		{`Post "http://127.0.0.1:1/cb": dial tcp 127.0.0.1:1: connect: connection refused`, "连不上商城网站（连接被拒绝）：商城服务器没有运行，或地址/端口不对。"},
		{"tls: bad certificate", "网络错误：tls: bad certificate"},
		{"blocked: localhost → 127.0.0.1 is a loopback address (this machine); per-order callback URLs may not reach internal addresses (allow the host with callback.allow_hosts)",
			"已拦截，没有发送：localhost → 127.0.0.1 是回环地址（本机），单笔订单的通知地址不能访问本机或内网。如确需通知本机或内网的商城，请把这个主机加入配置 callback.allow_hosts（环境变量 PAYGATE_CALLBACK_ALLOW_HOSTS）。"},
		{"blocked: 127.0.0.1 is paygate itself; a per-order callback URL may not call paygate", "已拦截，没有发送：127.0.0.1 是 paygate 自己，单笔订单的通知地址不能指向 paygate。"},
	}
	for _, tt := range tests {
		if got := attemptError(zh, tt.in); got != tt.want {
			t.Errorf("attemptError(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := attemptError(en, tt.in); got != tt.in {
			t.Errorf("English: %q changed to %q", tt.in, got)
		}
	}
}
