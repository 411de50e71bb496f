package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// vectorCandidates are where the shared vectors are, from the repository root
// or from examples/go. 共享测试向量的位置。
var vectorCandidates = []string{
	filepath.Join("examples", "testdata", "signature-vectors.json"),
	filepath.Join("..", "testdata", "signature-vectors.json"),
}

// runSelftest checks this package's signing code against the shared vectors
// and returns the exit code: 0 when every check passes.
// 用共享测试向量检查签名代码；全部通过返回 0。
func runSelftest(path string, out io.Writer) int {
	if path == "" {
		for _, p := range vectorCandidates {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(out, "selftest: cannot read the vectors (%v); pass the path: --selftest FILE\n", err)
		return 2
	}
	var vectors struct {
		Cases []struct {
			Name, Kind, Method, Path, APIKey, JSON, Canonical, Signature string
		}
	}
	if err := json.Unmarshal(raw, &vectors); err != nil {
		fmt.Fprintf(out, "selftest: %s: %v\n", path, err)
		return 2
	}
	passed, failed := 0, 0
	expect := func(name string, ok bool, format string, args ...any) {
		if ok {
			passed++
			return
		}
		failed++
		fmt.Fprintf(out, "FAIL %s: %s\n", name, fmt.Sprintf(format, args...))
	}
	for _, c := range vectors.Cases {
		f, err := ParseFields([]byte(c.JSON))
		if err != nil {
			expect(c.Name, false, "parse: %v", err)
			continue
		}
		if c.Kind == "request" {
			// 发给 paygate 的请求：签名串带请求方法和路径；它不是有效的回调。
			// A request to paygate: its string has the method and path; it is no valid callback.
			got := RequestString(c.Method, c.Path, f, c.APIKey)
			expect(c.Name, got == c.Canonical, "request string\n  got  %q\n  want %q", got, c.Canonical)
			body, err := requestBody(c.JSON)
			if err == nil {
				var signed map[string]any
				signed, err = signRequestWith(c.Method, c.Path, body, c.APIKey, f["timestamp"], f["nonce"])
				if err == nil && signed["signature"] != c.Signature {
					err = fmt.Errorf("got %v", signed["signature"])
				}
			}
			expect(c.Name, err == nil, "SignRequest gives another signature: %v", err)
			expect(c.Name, !SignatureMatches(f, c.APIKey), "a request signature passed as a callback")
			continue
		}
		got := Canonical(f, c.APIKey)
		expect(c.Name, got == c.Canonical, "canonical\n  got  %s\n  want %s", got, c.Canonical)
		expect(c.Name, Sign(f, c.APIKey) == c.Signature, "signature differs")
		expect(c.Name, SignatureMatches(f, c.APIKey), "genuine message rejected")
		expect(c.Name, !SignatureMatches(f, c.APIKey+"x"), "accepted with a wrong key")
		tampered := Fields{}
		for k, v := range f {
			tampered[k] = v
		}
		tampered["amount"] = "999"
		expect(c.Name, !SignatureMatches(tampered, c.APIKey), "accepted a tampered amount")
		if sent, err := ParseShanghaiTime(f["timestamp"]); c.Kind == "callback" && err == nil {
			// 完整流程：窗口内通过；同一 nonce 再来被拒；6 分钟后被拒。
			// Whole check: fresh passes, the same nonce again fails, 6 minutes later fails.
			now := sent.Add(30 * time.Second)
			v := &Verifier{APIKey: c.APIKey, Now: func() time.Time { return now }}
			err := v.Check(f)
			expect(c.Name, err == nil, "fresh callback rejected: %v", err)
			expect(c.Name, v.Check(f) != nil, "replayed nonce accepted")
			now = now.Add(6 * time.Minute)
			other := Fields{}
			for k, v := range f {
				other[k] = v
			}
			other["nonce"] = "other"
			expect(c.Name, v.Check(other) != nil, "stale timestamp accepted")
		}
	}
	// 上海时间按 UTC+8 解析，与本机时区无关 / UTC+8 whatever the local zone.
	t, err := ParseShanghaiTime("2026-11-26 16:10:05")
	expect("timestamp UTC+8", err == nil && t.Unix() == 1795680605, "got %v %v", t, err)
	_, err = ParseShanghaiTime("2026-02-30 10:00:00")
	expect("timestamp invalid", err != nil, "accepted 2026-02-30")
	fmt.Fprintf(out, "selftest: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

// requestBody is a request vector's body as a client builds it: numbers as
// json.Number, without timestamp, nonce and signature.
func requestBody(raw string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		return nil, err
	}
	delete(body, "timestamp")
	delete(body, "nonce")
	delete(body, "signature")
	return body, nil
}
