package cmd

import (
	"bytes"
	"strings"
	"testing"
)

// The commands that answer without touching any data: what they print,
// where, and their exit codes.
func TestRunAnswersWithoutData(t *testing.T) {
	p := Program{Version: "v9.9.9"}
	tests := []struct {
		args               []string
		code               int
		wantOut, wantErr   string
		stdoutIs, stderrIs bool // the whole stream must equal want
	}{
		{[]string{"version"}, 0, "paygate v9.9.9\n", "", true, true},
		{[]string{"--version"}, 0, "paygate v9.9.9\n", "", true, true},
		{[]string{"-v"}, 0, "paygate v9.9.9\n", "", true, true},
		{[]string{"help"}, 0, "  paygate restore FILE", "", false, true},
		{[]string{"--help"}, 0, "  paygate merchant-demo [--addr", "", false, true},
		{[]string{"-h"}, 0, "  --public-url URL", "", false, true},
		{[]string{"-help"}, 0, "PAYGATE_<SECTION>_<KEY>", "", false, true},
		{[]string{"restore"}, 2, "", "paygate restore: name the backup file, e.g. paygate restore data/backups/paygate-20261126-020000.db\n", true, true},
		{[]string{"restore", "--data-dir", "x"}, 2, "", "paygate restore: name the backup file", true, false},
		{[]string{"frobnicate"}, 2, "Usage:\n", "paygate: unknown command \"frobnicate\" (see paygate --help)\n", false, true},
		{[]string{"--bogus"}, 2, "Usage:\n", "paygate: unknown flag: --bogus\n", false, true},
		{[]string{"backup", "extra"}, 2, "Usage:\n", "paygate: unknown command \"extra\"", false, false},
		{[]string{"merchant-demo", "--key", "k", "extra"}, 2, "", "paygate merchant-demo: unexpected argument \"extra\"\n", true, true},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := p.Run(tt.args, &stdout, &stderr)
		check := func(stream, got, want string, whole bool) {
			if whole && got != want || !whole && !strings.Contains(got, want) {
				t.Errorf("paygate %q: %s = %q, want %q", tt.args, stream, got, want)
			}
		}
		if code != tt.code {
			t.Errorf("paygate %q: exit %d, want %d", tt.args, code, tt.code)
		}
		check("stdout", stdout.String(), tt.wantOut, tt.stdoutIs)
		check("stderr", stderr.String(), tt.wantErr, tt.stderrIs)
	}
}

// Only a server start keeps a double-clicked window open on failure.
func TestStartsServer(t *testing.T) {
	for args, want := range map[string]bool{
		"": true, "--addr :1": true, "--data-dir d": true, "-x": true,
		"--help": false, "-h": false, "-help": false, "help": false, "--version": false, "-v": false,
		"version": false, "backup": false, "restore f": false, "reset-admin": false, "merchant-demo": false, "bench": false,
	} {
		if got := StartsServer(strings.Fields(args)); got != want {
			t.Errorf("StartsServer(%q) = %v, want %v", args, got, want)
		}
	}
}
