package cmd

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"paygate/app/merchantdemo"
)

func TestMerchantDemoFlags(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "PAYGATE_MERCHANT_API_KEY" {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		args    []string
		env     string
		want    merchantdemo.Options
		wantErr string
	}{
		{"defaults with key from env", nil, "envkey", merchantdemo.Options{Addr: "127.0.0.1:3001", Key: "envkey", Path: "/payment-callback"}, ""},
		{"flags win", []string{"--addr", "127.0.0.1:4000", "--key", "k2", "--path", "cb"}, "envkey", merchantdemo.Options{Addr: "127.0.0.1:4000", Key: "k2", Path: "/cb"}, ""},
		{"no key", nil, "", merchantdemo.Options{}, "PAYGATE_MERCHANT_API_KEY"},
		{"stray argument", []string{"--key", "k", "extra"}, "", merchantdemo.Options{}, "unexpected argument"},
	}
	for _, tt := range tests {
		got, err := merchantDemoFlags(tt.args, env(tt.env), io.Discard)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
	var help bytes.Buffer
	if _, err := merchantDemoFlags([]string{"--help"}, env("secret-from-env"), &help); !errors.Is(err, pflag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
	if !strings.Contains(help.String(), "PAYGATE_MERCHANT_API_KEY") || strings.Contains(help.String(), "secret-from-env") {
		t.Errorf("--help must name the variable but not print the key:\n%s", help.String())
	}
}
