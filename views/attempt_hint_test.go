package views

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"paygate/app"
)

// The fix the hint and /docs#callback-time show, run under each language
// on a server whose zone is UTC: each reads the callback timestamp as the
// Shanghai time it is.
func TestShanghaiTimeSnippetsOnAUTCServer(t *testing.T) {
	const ts = "2026-11-26 16:10:00"
	want := strconv.FormatInt(time.Date(2026, 11, 26, 16, 10, 0, 0, app.Shanghai).Unix(), 10)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	runs := map[string]func(t *testing.T) *exec.Cmd{
		"shanghai_time.py": func(t *testing.T) *exec.Cmd {
			return exec.Command(need(t, "python3"), write("t.py", snippet("shanghai_time.py")+"\nimport sys\nprint(int(callback_time(sys.argv[1]).timestamp()))\n"), ts)
		},
		"shanghai_time.js": func(t *testing.T) *exec.Cmd {
			return exec.Command(need(t, "node"), write("t.js", snippet("shanghai_time.js")+"\nconsole.log(Math.floor(callbackTime(process.argv[2]).getTime() / 1000));\n"), ts)
		},
		"shanghai_time.php": func(t *testing.T) *exec.Cmd {
			return exec.Command(need(t, "php"), write("t.php", snippet("shanghai_time.php")+"\necho callback_time($argv[1]), \"\\n\";\n"), ts)
		},
		"shanghai_time.go.txt": func(t *testing.T) *exec.Cmd {
			src := "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"time\"\n)\n\n" + snippet("shanghai_time.go.txt") +
				"\n\nfunc main() {\n\tt, err := callbackTime(os.Args[1])\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\tfmt.Println(t.Unix())\n}\n"
			return exec.Command(need(t, "go"), "run", write("main.go", src), ts)
		},
	}
	for _, f := range timeFixes {
		t.Run(f.Lang, func(t *testing.T) {
			run, ok := runs[f.File]
			if !ok {
				t.Fatalf("no test runs %s", f.File)
			}
			cmd := run(t)
			cmd.Env = append(os.Environ(), "TZ=UTC")
			out, err := cmd.CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != want {
				t.Fatalf("%s under TZ=UTC: %v %q, want %s", f.File, err, out, want)
			}
		})
	}
}

func TestAttemptHintOnlyForRefusalsThatBlameTheTime(t *testing.T) {
	render := func(ctx context.Context, a app.CallbackAttempt) string {
		var b bytes.Buffer
		if err := attemptItem(1, a).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	zh := context.Background()
	en := WithLang(zh, "en")
	expired := app.CallbackAttempt{HTTPStatus: 401, BodyExcerpt: `{"error":"\u56de\u8c03\u5df2\u8fc7\u671f","success":false}`, Error: "HTTP 401: the merchant must answer 2xx"}
	if page := render(zh, expired); !strings.Contains(page, "按 UTC 读了") || !strings.Contains(page, "Asia/Shanghai") || !strings.Contains(page, "timezone(timedelta(hours=8))") {
		t.Fatalf("no hint for the guide's Python answer:\n%s", page)
	}
	if page := render(en, expired); !strings.Contains(page, "may read the time as UTC") {
		t.Fatalf("no English hint:\n%s", page)
	}
	for _, a := range []app.CallbackAttempt{
		{HTTPStatus: 401, BodyExcerpt: `{"success":false,"error":"签名验证失败"}`},
		{HTTPStatus: 500, BodyExcerpt: `expired`},
		{HTTPStatus: 200, BodyExcerpt: `{"success":true}`, Acked: true},
	} {
		if page := render(zh, a); strings.Contains(page, "attempt-hint") {
			t.Errorf("a hint for %d %s", a.HTTPStatus, a.BodyExcerpt)
		}
	}
}
