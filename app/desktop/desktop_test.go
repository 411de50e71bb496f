package desktop

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestListenFallsBackOnlyWhenAllowed(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	addr := "127.0.0.1:" + strconv.Itoa(port)

	tests := []struct {
		name     string
		fallback bool
		wantErr  string
	}{
		{"not chosen: the next free port", true, ""},
		{"chosen: a clear error", false, "端口可能已被其他程序"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := Listen(addr, tt.fallback)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "--addr") {
					t.Fatalf("Listen(%s, false) = %v, want an error saying %q and how to choose a port", addr, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			got := ln.Addr().(*net.TCPAddr).Port
			if got <= port || got > port+FallbackPorts {
				t.Fatalf("fell back to port %d, want one of %d..%d", got, port+1, port+FallbackPorts)
			}
		})
	}
}

func TestBannerSaysWhereAndHow(t *testing.T) {
	var b bytes.Buffer
	Banner{Version: "v1.2.3", URL: "http://localhost:3001", Config: "/opt/paygate/config.yaml", Data: "/opt/paygate/data",
		SetupToken: "tok123", Moved: "3000"}.Print(&b)
	for _, want := range []string{"v1.2.3", "已启动", "is running", "http://localhost:3001/", "端口 3000 被占用", "/opt/paygate/data",
		"setup_token=tok123", "一次性令牌", "one-time token", "Ctrl+C"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, b.String())
		}
	}
}
