package views

// The verification snippets the /docs page shows are run here under their
// own interpreters (Node.js, PHP, Python, Go) against the shared signature
// vectors of examples/, genuine and tampered, and the signed-request example
// under the shell: what people copy must work.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/epay"
	"paygate/app/sign"
)

// need returns an interpreter's path, or skips (fails on CI, where .ci/run installs it).
func need(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, but CI must check the /docs snippet for it (.ci/run installs it)", name)
	}
	t.Skipf("%s is not installed: skipping its /docs snippet (.ci/run installs it on CI)", name)
	return ""
}

type verifyCase struct {
	Name string `json:"name"`
	Raw  string `json:"raw"`
	Key  string `json:"key"`
	Want bool   `json:"want"`
}

// callbackCases are the examples' callback vectors, each also with a forged
// amount and with the wrong key.
func callbackCases(t *testing.T) []verifyCase {
	t.Helper()
	raw, err := os.ReadFile("../examples/testdata/signature-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Name, Kind, APIKey, JSON string
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	var out []verifyCase
	for _, c := range file.Cases {
		if c.Kind != "callback" {
			continue
		}
		out = append(out, verifyCase{c.Name, c.JSON, c.APIKey, true})
		forged := strings.Replace(c.JSON, `"amount":`, `"amount":9`, 1)
		out = append(out, verifyCase{c.Name + " / forged amount", forged, c.APIKey, false})
		out = append(out, verifyCase{c.Name + " / wrong key", c.JSON, c.APIKey + "x", false})
	}
	if len(out) < 12 {
		t.Fatalf("only %d callback cases in the vectors", len(out))
	}
	return out
}

// runSnippet writes the snippet plus a harness to dir/name and runs it with
// the cases file; the harness prints one true/false per case.
func runSnippet(t *testing.T, cases []verifyCase, name, program string, cmd ...string) {
	t.Helper()
	dir := t.TempDir()
	casesFile := filepath.Join(dir, "cases.json")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(casesFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(program), 0o600); err != nil {
		t.Fatal(err)
	}
	c := exec.CommandContext(context.Background(), cmd[0], append(cmd[1:], name, casesFile)...)
	c.Dir = dir
	c.Env = append(os.Environ(), "GOFLAGS=")
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	got := strings.Fields(string(out))
	if len(got) != len(cases) {
		t.Fatalf("%s printed %d results for %d cases:\n%s", name, len(got), len(cases), out)
	}
	for i, c := range cases {
		if got[i] != map[bool]string{true: "true", false: "false"}[c.Want] {
			t.Errorf("%s, %s: got %s, want %v", name, c.Name, got[i], c.Want)
		}
	}
}

func TestDocsCallbackSnippets(t *testing.T) {
	cases := callbackCases(t)
	t.Run("node", func(t *testing.T) {
		node := need(t, "node")
		runSnippet(t, cases, "verify.js", snippet("verify.js")+`
const cases = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
for (const c of cases) console.log(String(paygateVerify(c.raw, c.key)));
`, node)
	})
	t.Run("php", func(t *testing.T) {
		php := need(t, "php")
		runSnippet(t, cases, "verify.php", snippet("verify.php")+`
foreach (json_decode(file_get_contents($argv[1]), true) as $c) {
    echo paygate_verify($c['raw'], $c['key']) ? "true\n" : "false\n";
}
`, php)
	})
	t.Run("python", func(t *testing.T) {
		py := need(t, "python3")
		runSnippet(t, cases, "verify.py", snippet("verify.py")+`


if __name__ == "__main__":
    import sys
    for c in json.load(open(sys.argv[1], encoding="utf-8")):
        print("true" if paygate_verify(c["raw"], c["key"]) else "false")
`, py)
	})
	t.Run("go", func(t *testing.T) {
		if testing.Short() {
			t.Skip("builds a program")
		}
		goBin := need(t, "go")
		runSnippet(t, cases, "verify.go", `package main

`+strings.Replace(snippet("verify.go.txt"), "import (", "import (\n\t\"fmt\"\n\t\"os\"", 1)+`

func main() {
	raw, _ := os.ReadFile(os.Args[1])
	var cases []struct{ Raw, Key string }
	if err := json.Unmarshal(raw, &cases); err != nil {
		panic(err)
	}
	for _, c := range cases {
		fmt.Println(paygateVerify([]byte(c.Raw), c.Key))
	}
}
`, goBin, "run")
	})
}

// The 易支付 notify verifier on /docs accepts paygate's notify and refuses a forged one.
func TestDocsEpayNotifySnippet(t *testing.T) {
	php := need(t, "php")
	e := app.EpayOrder{OrderID: "ORD17641400001234567890", PID: "1000", OutTradeNo: "T1001", Type: "wxpay",
		Name: "会员 & 充值=1", Money: "10.00", Param: "uid=42"}
	key := "pk_test&key=1"
	q := epay.NotifyParams(e, key)
	forged := url.Values{}
	for k, v := range q {
		forged[k] = v
	}
	forged.Set("money", "0.01")
	var cases []verifyCase
	for _, c := range []struct {
		name string
		q    url.Values
		key  string
		want bool
	}{{"genuine", q, key, true}, {"forged money", forged, key, false}, {"wrong key", q, "other", false}} {
		// The query as PHP's $_GET would have it, as JSON.
		m := map[string]string{}
		for k := range c.q {
			m[k] = c.q.Get(k)
		}
		b, _ := json.Marshal(m)
		cases = append(cases, verifyCase{c.name, string(b), c.key, c.want})
	}
	runSnippet(t, cases, "epay.php", snippet("epay_notify.php")+`
foreach (json_decode(file_get_contents($argv[1]), true) as $c) {
    echo epay_verify(json_decode($c['raw'], true), $c['key']) ? "true\n" : "false\n";
}
`, php)
}

// The signed-request example on /docs, run by the shell with curl replaced by
// a function that prints the body, makes a request paygate's own code accepts.
func TestDocsSignedRequestSnippet(t *testing.T) {
	sh := need(t, "sh")
	need(t, "openssl")
	const key = "k_docs&key=1"
	script := `curl() { for a; do last=$a; done; printf '%s' "$last"; }
` + strings.Replace(signedOrderCurl("http://127.0.0.1:3000"), "KEY=YOUR_API_KEY", "KEY='"+key+"'", 1)
	out, err := exec.Command(sh, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var body map[string]any
	dec := json.NewDecoder(strings.NewReader(string(out)))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("the snippet sends %q: %v", out, err)
	}
	fields := map[string]string{}
	for k, v := range body {
		fields[k] = fmt.Sprint(v)
	}
	ts, _ := strconv.ParseInt(fields["timestamp"], 10, 64)
	if d := time.Since(time.Unix(ts, 0)); d < -time.Minute || d > time.Minute || len(fields["nonce"]) != 32 {
		t.Fatalf("timestamp or nonce: %v", fields)
	}
	if !sign.VerifyRequest("POST", "/api/orders", fields, key, fields["signature"]) {
		t.Fatalf("paygate would refuse the snippet's signature: %v", fields)
	}
	if sign.Verify(fields, key, fields["signature"]) {
		t.Fatal("the snippet's signature is also a valid callback signature")
	}
}
