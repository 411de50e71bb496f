package e2e

// A double-clicked binary: no configuration anywhere, started from some
// other working directory. Its config.yaml and data/ must appear beside it,
// port 3000 (or the next free one) serves the console, and a taken port that
// was chosen explicitly is a clear error.

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// plainEnv is the environment without any PAYGATE_ setting, plus extra.
func plainEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PAYGATE_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// copyBinary puts a copy of the built paygate in a fresh directory, as a
// person would after downloading it.
func copyBinary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(binPath)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "paygate")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// process is a paygate started by hand, with its output.
type process struct {
	cmd *exec.Cmd
	out *syncBuffer
}

func startIn(t *testing.T, bin, cwd string, env []string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin), out: &syncBuffer{}}
	p.cmd.Dir, p.cmd.Env = cwd, env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("paygate output:\n%s", p.out.String())
		}
	})
	return p
}

func (p *process) stop() {
	if p.cmd.ProcessState != nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

var bannerURL = regexp.MustCompile(`Open:\s+(http://\S+)/`)

// url waits for the banner and returns the console's address.
func (p *process) url(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m := bannerURL.FindStringSubmatch(p.out.String()); m != nil {
			return m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no banner with the address:\n%s", p.out.String())
	return ""
}

func healthy(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s/health: %d", url, resp.StatusCode)
	}
}

func TestDoubleClickKeepsConfigAndDataBesideTheBinary(t *testing.T) {
	bin := copyBinary(t)
	binDir := filepath.Dir(bin)
	cwd := t.TempDir()
	addr := freeAddr(t)
	// No data directory, no config: only a port (so tests run side by side)
	// and no browser.
	p := startIn(t, bin, cwd, plainEnv("PAYGATE_SERVER_ADDR="+addr, "PAYGATE_SERVER_OPEN_BROWSER=false"))
	url := p.url(t)
	healthy(t, url)

	for _, f := range []string{"config.yaml", filepath.Join("data", "paygate.db")} {
		if _, err := os.Stat(filepath.Join(binDir, f)); err != nil {
			t.Errorf("%s beside the binary: %v", f, err)
		}
	}
	if entries, _ := os.ReadDir(cwd); len(entries) > 0 {
		t.Errorf("paygate wrote into the working directory: %v", entries)
	}
	written, _ := os.ReadFile(filepath.Join(binDir, "config.yaml"))
	repo, _ := os.ReadFile("../config.yaml")
	if !bytes.Equal(written, repo) {
		t.Error("the config.yaml written is not the repository's commented one")
	}
	out := p.out.String()
	for _, want := range []string{"已启动", "is running", "Open:   " + url + "/", filepath.Join(binDir, "data"), "setup_token=", "一次性令牌", "Ctrl+C"} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q", want)
		}
	}

	// The second start reads that config.yaml and the same database.
	p.stop()
	p2 := startIn(t, bin, t.TempDir(), plainEnv("PAYGATE_SERVER_ADDR="+addr, "PAYGATE_SERVER_OPEN_BROWSER=false"))
	healthy(t, p2.url(t))
	if strings.Contains(p2.out.String(), "first start") || !strings.Contains(p2.out.String(), filepath.Join(binDir, "config.yaml")) {
		t.Errorf("second start did not use the config beside the binary:\n%s", p2.out.String())
	}
}

func TestPortFallsBackOnlyWhenNotChosen(t *testing.T) {
	// Hold port 3000 (or find it held already: taken either way).
	if ln, err := net.Listen("tcp", ":3000"); err == nil {
		defer ln.Close()
	}

	t.Run("not chosen: the next free port", func(t *testing.T) {
		bin := copyBinary(t)
		p := startIn(t, bin, t.TempDir(), plainEnv("PAYGATE_SERVER_OPEN_BROWSER=false"))
		url := p.url(t)
		if strings.HasSuffix(url, ":3000") {
			t.Fatalf("listening on %s although 3000 is taken", url)
		}
		healthy(t, url)
		if !strings.Contains(p.out.String(), "端口 3000 被占用") {
			t.Errorf("the banner does not say port 3000 was taken:\n%s", p.out.String())
		}
	})

	for _, chosen := range []struct{ name, env, file string }{
		{"chosen in the environment", "PAYGATE_SERVER_ADDR=:3000", ""},
		{"chosen in config.yaml", "", "server:\n  addr: \":3000\"\n"},
	} {
		t.Run(chosen.name+": a clear error", func(t *testing.T) {
			bin := copyBinary(t)
			env := plainEnv("PAYGATE_SERVER_OPEN_BROWSER=false")
			if chosen.env != "" {
				env = append(env, chosen.env)
			}
			if chosen.file != "" {
				os.WriteFile(filepath.Join(filepath.Dir(bin), "config.yaml"), []byte(chosen.file), 0o644)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin)
			cmd.Dir, cmd.Env, cmd.Stdin = t.TempDir(), env, strings.NewReader("")
			out, err := cmd.CombinedOutput()
			if err == nil || ctx.Err() != nil {
				t.Fatalf("paygate did not stop with an error (err %v):\n%s", err, out)
			}
			for _, want := range []string{"cannot listen on :3000", "端口可能已被其他程序", "--addr"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestHelpListsEverySubcommand(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "help"} {
		out, err := exec.Command(binPath, arg).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		for _, cmd := range []string{"paygate version", "paygate help", "paygate merchant-demo", "paygate reset-admin", "paygate bench", "paygate backup", "paygate restore", "--addr", "--data-dir", "--config", "--public-url", "--open-browser"} {
			if !strings.Contains(string(out), cmd) {
				t.Errorf("%s lacks %q", arg, cmd)
			}
		}
	}
	out, err := exec.Command(binPath, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "paygate ") {
		t.Fatalf("version: %v %s", err, out)
	}
	cmd := exec.Command(binPath, "serve")
	cmd.Env = plainEnv()
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `unknown command "serve"`) {
		t.Fatalf("an unknown sub-command: %v\n%s", err, out)
	}
}
