package cmd

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// The sub-commands moved from the standard flag package to pflag; every
// spelling the standard package took still means the same.
func TestGoStyleFlagsStillParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    []string // what goStyle hands pflag
		addr    string
		wait    time.Duration
		rest    []string
		wantErr string
	}{
		{"double dash", []string{"--addr", "a:1", "--wait", "2s"}, []string{"--addr", "a:1", "--wait", "2s"}, "a:1", 2 * time.Second, nil, ""},
		{"single dash", []string{"-addr", "a:1", "-wait=2s"}, []string{"--addr", "a:1", "--wait=2s"}, "a:1", 2 * time.Second, nil, ""},
		{"value that starts with a dash", []string{"-addr", "-wait", "x"}, []string{"--addr", "-wait", "x"}, "-wait", time.Second, []string{"x"}, ""},
		{"flags end at the first argument", []string{"-addr", "a:1", "extra", "-wait", "2s"}, []string{"--addr", "a:1", "extra", "-wait", "2s"}, "a:1", time.Second, []string{"extra", "-wait", "2s"}, ""},
		{"flags end at --", []string{"--", "-addr", "a:1"}, []string{"--", "-addr", "a:1"}, "", time.Second, []string{"-addr", "a:1"}, ""},
		{"help", []string{"-help"}, []string{"--help"}, "", time.Second, nil, pflag.ErrHelp.Error()},
		{"h", []string{"--h"}, []string{"--help"}, "", time.Second, nil, pflag.ErrHelp.Error()},
		{"unknown", []string{"-bogus"}, []string{"--bogus"}, "", time.Second, nil, "unknown flag: --bogus"},
		{"missing value", []string{"-addr"}, []string{"--addr"}, "", time.Second, nil, "flag needs an argument: --addr"},
		{"bad value", []string{"-wait", "soon"}, []string{"--wait", "soon"}, "", time.Second, nil, `invalid argument "soon" for "--wait"`},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		fs := newFlagSet("paygate test", &out)
		addr := fs.String("addr", "", "listen address")
		wait := fs.Duration("wait", time.Second, "how long")
		if got := goStyle(fs, tt.args); !slices.Equal(got, tt.want) {
			t.Errorf("%s: goStyle(%q) = %q, want %q", tt.name, tt.args, got, tt.want)
		}
		err := parseFlags(fs, tt.args)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
			}
			if !strings.Contains(out.String(), "Usage of paygate test:\n") || !strings.Contains(out.String(), "--addr string") {
				t.Errorf("%s: the usage was not printed:\n%s", tt.name, out.String())
			}
			if !errors.Is(err, pflag.ErrHelp) && !strings.HasPrefix(out.String(), err.Error()+"\n") {
				t.Errorf("%s: the error does not come first:\n%s", tt.name, out.String())
			}
			continue
		}
		if err != nil || *addr != tt.addr || *wait != tt.wait || !slices.Equal(fs.Args(), tt.rest) {
			t.Errorf("%s: addr %q wait %v rest %q err %v; want %q %v %q", tt.name, *addr, *wait, fs.Args(), err, tt.addr, tt.wait, tt.rest)
		}
	}
}

// paygate bench keeps its flags and its answers to a bad command line.
func TestBenchCommandLine(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		wantStderr string
	}{
		{nil, 2, "usage: paygate bench orders|webhook|"},
		{[]string{"nope"}, 2, "usage: paygate bench orders|webhook|"},
		{[]string{"orders", "--help"}, 0, "Usage of paygate bench orders:"},
		{[]string{"orders", "-h"}, 0, "--concurrency int"},
		{[]string{"orders", "--bogus"}, 2, "unknown flag: --bogus"},
		{[]string{"orders", "--url", "http://example.com:1"}, 2, "paygate bench: --url http://example.com:1: load tests only target this machine"},
		{[]string{"orders", "-url", "http://example.com:1"}, 2, "load tests only target this machine"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		code := benchCommand(tt.args, io.Discard, &stderr)
		if code != tt.code || !strings.Contains(stderr.String(), tt.wantStderr) {
			t.Errorf("paygate bench %q: exit %d, want %d; stderr:\n%s\nwant %q", tt.args, code, tt.code, stderr.String(), tt.wantStderr)
		}
	}
}
