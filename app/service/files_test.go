package service

import (
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// shopDir is a directory with a space and a % in its name, as a shop's may be.
func shopDir(t *testing.T) (dir, exe string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "my shop 100%")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe = filepath.Join(dir, "paygate")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, exe
}

func testSpec(dir, exe string, perUser bool, userName string) Spec {
	s := Spec{Name: Name, Description: "paygate payment gateway", Executable: exe,
		Arguments:        []string{"service", "run", "--config", filepath.Join(dir, "config.yaml"), "--data-dir", filepath.Join(dir, "data")},
		WorkingDirectory: dir, PerUser: perUser, UserName: userName}
	return s
}

func TestSystemdUnit(t *testing.T) {
	dir, exe := shopDir(t)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	q := func(s string) string { return `"` + strings.ReplaceAll(s, "%", "%%") + `"` }
	for _, tt := range []struct {
		name      string
		spec      Spec
		want, not []string
	}{
		{
			name: "system unit run as the sudo user",
			spec: testSpec(dir, exe, false, me.Username),
			want: []string{
				"Description=paygate payment gateway\n",
				"After=network-online.target\nWants=network-online.target\n",
				"ExecStart=" + q(exe) + " service run --config " + q(filepath.Join(dir, "config.yaml")) + " --data-dir " + q(filepath.Join(dir, "data")) + "\n",
				"WorkingDirectory=" + strings.ReplaceAll(dir, "%", "%%") + "\n",
				"User=" + me.Username + "\n",
				"Restart=always\nRestartSec=5\n",
				"AmbientCapabilities=CAP_NET_BIND_SERVICE\n",
				"[Install]\nWantedBy=multi-user.target\n",
			},
		},
		{
			name: "user unit",
			spec: testSpec(dir, exe, true, ""),
			want: []string{"Restart=always\n", "[Install]\nWantedBy=default.target\n"},
			// The user manager has neither this target nor the right to grant capabilities.
			not: []string{"network-online.target", "multi-user.target", "AmbientCapabilities", "User="},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			unit := SystemdUnit(tt.spec)
			for _, w := range tt.want {
				if !strings.Contains(unit, w) {
					t.Errorf("unit lacks %q:\n%s", w, unit)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(unit, n) {
					t.Errorf("unit has %q:\n%s", n, unit)
				}
			}
			if strings.Contains(unit, "{{") {
				t.Error("template syntax left in the unit: the service library would expand it")
			}
			verifyUnit(t, unit)
		})
	}
}

// analyzePath is found before any test narrows PATH.
var analyzePath, _ = exec.LookPath("systemd-analyze")

// verifyUnit runs systemd-analyze verify on the unit where systemd's tools
// are installed; every message it prints (it exits 0 on many) fails the test.
func verifyUnit(t *testing.T, unit string) {
	t.Helper()
	if analyzePath == "" {
		if os.Getenv("CI") != "" && isLinux() {
			t.Fatal("systemd-analyze is missing: install systemd (Debian: apt-get install systemd) to check the unit")
		}
		t.Log("systemd-analyze not found: the unit was checked by content only")
		return
	}
	file := filepath.Join(t.TempDir(), Name+".service")
	if err := os.WriteFile(file, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyzePath, "verify", file).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s\n--- unit ---\n%s", err, out, unit)
	}
	t.Logf("systemd-analyze verify: clean")
}

func TestSystemdQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/usr/local/bin/paygate", "/usr/local/bin/paygate"},
		{"/opt/my shop/paygate", `"/opt/my shop/paygate"`},
		{"/opt/100%/paygate", "/opt/100%%/paygate"},
		{`/opt/a"b/paygate`, `"/opt/a\"b/paygate"`},
		{"/opt/$HOME/paygate", "/opt/$$HOME/paygate"},
		{"", `""`}, // an empty argument stays one
	} {
		if got := systemdQuote(tt.in); got != tt.want {
			t.Errorf("systemdQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLaunchdPlist(t *testing.T) {
	dir, exe := shopDir(t)
	for _, tt := range []struct {
		name string
		spec Spec
		user string
	}{
		{"LaunchDaemon as the sudo user", testSpec(dir+"/<&>", exe, false, "alice"), "alice"},
		{"LaunchAgent", testSpec(dir, exe, true, ""), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.OutputFile = filepath.Join(dir, "data", "logs", "paygate.out.log")
			text := LaunchdPlist(tt.spec)
			got := parsePlist(t, text)
			if got["Label"] != Name || got["RunAtLoad"] != "true" || got["KeepAlive"] != "true" || got["UserName"] != tt.user ||
				got["WorkingDirectory"] != tt.spec.WorkingDirectory || got["StandardErrorPath"] != tt.spec.OutputFile {
				t.Fatalf("plist values %v\n%s", got, text)
			}
			wantArgs := append([]string{exe}, tt.spec.Arguments...)
			if got["ProgramArguments"] != strings.Join(wantArgs, "\x00") {
				t.Fatalf("ProgramArguments %q, want %q", got["ProgramArguments"], wantArgs)
			}
			if plutil, err := exec.LookPath("plutil"); err == nil { // macOS
				file := filepath.Join(t.TempDir(), "paygate.plist")
				_ = os.WriteFile(file, []byte(text), 0o644)
				if out, err := exec.Command(plutil, "-lint", file).CombinedOutput(); err != nil {
					t.Fatalf("plutil -lint: %v\n%s", err, out)
				}
			}
		})
	}
}

// parsePlist reads a flat plist dict: key → string, true/false, integer,
// or an array's strings joined by NUL. The XML must be well formed.
func parsePlist(t *testing.T, text string) map[string]string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(text))
	out := map[string]string{}
	var key, inArray string
	var array []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, text)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "key":
				var k string
				if err := dec.DecodeElement(&k, &el); err != nil {
					t.Fatal(err)
				}
				key = k
			case "string", "integer":
				var v string
				if err := dec.DecodeElement(&v, &el); err != nil {
					t.Fatal(err)
				}
				if inArray != "" {
					array = append(array, v)
				} else {
					out[key] = v
				}
			case "true", "false":
				out[key] = el.Name.Local
			case "array":
				inArray, array = key, nil
			}
		case xml.EndElement:
			if el.Name.Local == "array" {
				out[inArray] = strings.Join(array, "\x00")
				inArray = ""
			}
		}
	}
}

func isLinux() bool { return runtime.GOOS == "linux" }
