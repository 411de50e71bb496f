package service

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kardianos/service"
)

// forced is the systemd backend, used whatever this machine runs (a
// container or CI runner has no systemd as PID 1).
type forced struct{ service.System }

func (forced) Detect() bool { return true }

// The unit installed through the service library is byte for byte the one
// rendered here, in the user's systemd directory, and systemctl is asked
// to enable, start, report and remove it.
func TestInstallWritesOurUnit(t *testing.T) {
	orig := service.AvailableSystems()
	for _, sys := range orig {
		if sys.String() == "linux-systemd" {
			service.ChooseSystem(forced{sys})
		}
	}
	t.Cleanup(func() { service.ChooseSystem(orig...) })

	bin := t.TempDir()
	calls := filepath.Join(bin, "calls.log")
	fake := "#!/bin/sh\necho \"$@\" >> '" + calls + "'\ncase \"$1\" in is-active) echo active;; esac\nexit 0\n"
	if err := os.WriteFile(filepath.Join(bin, "systemctl"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	home := t.TempDir()
	t.Setenv("HOME", home)

	dir, exe := shopDir(t)
	spec := testSpec(dir, exe, true, "")
	c, err := New(spec, func(context.Context) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Install(); err != nil {
		t.Fatalf("install: %v", err)
	}
	if err := c.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	file := filepath.Join(home, ".config", "systemd", "user", "paygate.service")
	if spec.File() != file {
		t.Errorf("Spec.File() = %s, installed at %s", spec.File(), file)
	}
	installed, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(installed) != SystemdUnit(spec) {
		t.Fatalf("installed unit differs from the rendered one:\n%s\n---\n%s", installed, SystemdUnit(spec))
	}
	verifyUnit(t, string(installed))
	if st, err := c.Status(); err != nil || st != "running" {
		t.Fatalf("status %q %v", st, err)
	}
	if err := c.Uninstall(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("unit left after uninstall: %v", err)
	}
	got, _ := os.ReadFile(calls)
	for _, want := range []string{"enable --user paygate.service", "daemon-reload --user", "start --user paygate.service",
		"is-active paygate.service --user", "stop --user paygate.service", "disable --user paygate.service"} {
		if !strings.Contains(string(got), want+"\n") {
			t.Errorf("systemctl was not called with %q; calls:\n%s", want, got)
		}
	}
}
