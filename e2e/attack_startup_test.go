package e2e

// Attacks on the start-up and on request bodies, against the real binary:
// 300 MB posts to the forms a stranger can reach must be refused before they
// are read (issue #11, point 5), and paygate must start after a reboot left a
// stale lock file, refuse a second server, and say in Chinese and English
// what to do about a corrupt, newer, read-only or full data directory
// (point 7).

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skip2/go-qrcode"
	_ "modernc.org/sqlite"
)

// filler is an endless body of '0' characters: a 300 MB request without 300 MB of memory.
type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// hugeBody is a request body of size bytes: head, then filler, then tail.
type hugeBody struct {
	contentType string
	head, tail  string
}

func urlencodedBody(field string) hugeBody {
	return hugeBody{contentType: "application/x-www-form-urlencoded", head: "username=admin&" + field + "="}
}

func multipartBody(field string) hugeBody {
	return hugeBody{contentType: "multipart/form-data; boundary=XyZ",
		head: "--XyZ\r\nContent-Disposition: form-data; name=\"" + field + "\"\r\n\r\n",
		tail: "\r\n--XyZ--\r\n"}
}

func multipartFile(field string) hugeBody {
	return hugeBody{contentType: "multipart/form-data; boundary=XyZ",
		head: "--XyZ\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"code.png\"\r\nContent-Type: image/png\r\n\r\n",
		tail: "\r\n--XyZ--\r\n"}
}

// answer is what came back for a huge post.
type answer struct {
	status  int
	header  http.Header
	body    string
	elapsed time.Duration
}

// postHuge sends size bytes to path on its own connection (with
// Content-Length, or chunked), reading the answer while it still writes as a
// browser does, and closes the connection once the answer is in.
func postHuge(t *testing.T, base, path string, b hugeBody, size int64, chunked bool, header map[string]string) answer {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head strings.Builder
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\n", path, u.Host, b.contentType)
	if chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n")
	} else {
		fmt.Fprintf(&head, "Content-Length: %d\r\n", size)
	}
	for k, v := range header {
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	head.WriteString("\r\n")

	start := time.Now()
	written := make(chan int64, 1)
	go func() {
		var w io.Writer = conn
		var cw io.WriteCloser
		if chunked {
			cw = httputil.NewChunkedWriter(conn)
			w = cw
		}
		n, _ := io.WriteString(conn, head.String())
		body := io.MultiReader(strings.NewReader(b.head),
			io.LimitReader(filler{}, size-int64(len(b.head)+len(b.tail))), strings.NewReader(b.tail))
		m, err := io.Copy(w, body)
		if err == nil && cw != nil {
			cw.Close()
			io.WriteString(conn, "\r\n")
		}
		written <- int64(n) + m
	}()

	conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s (%d MB, chunked=%v): no answer after %v: %v", path, size>>20, chunked, time.Since(start), err)
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header, body: string(raw), elapsed: time.Since(start)}
	conn.Close()
	<-written
	return a
}

// rssKB is the resident memory of a process, from /proc.
func rssKB(t *testing.T, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc to measure memory: %v", err)
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// createLink makes a fixed-price payment link and returns its path /l/<code>.
func createLink(t *testing.T, own *owner) string {
	t.Helper()
	if resp := own.post("/admin/links", url.Values{"productName": {"曲奇"}, "priceKind": {"fixed"}, "amount": {"9.90"},
		"methods": {"alipay"}}, "", nil); resp.StatusCode != 200 {
		t.Fatalf("create link: %d", resp.StatusCode)
	}
	resp, err := own.cl.Get(own.in.URL + "/admin/links")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`/l/([a-z0-9]{8})`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no link on the links page")
	}
	return "/l/" + string(m[1])
}

// Issue #11.5: an anonymous 300 MB post to a form is refused with 413 before
// it is read, on every route a stranger can reach, with or without a length.
func TestHugeFormPostsAreRefusedBeforeReading(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_RATE_LIMIT=0")
	link := createLink(t, newOwner(t, pg))
	pid := pg.cmd.Process.Pid
	const size = 300 << 20
	base := rssKB(t, pid)
	peak := base

	cases := []struct {
		path string
		body hugeBody
	}{
		{"/admin/login", urlencodedBody("password")},
		{"/admin/setup", urlencodedBody("password")},
		{"/admin/lang", urlencodedBody("lang")},
		{link, urlencodedBody("amount")},
		{"/admin/login", multipartBody("password")},
		{"/admin/setup", multipartBody("password")},
		{"/admin/lang", multipartBody("lang")},
		{link, multipartBody("amount")},
		{"/submit.php", urlencodedBody("name")},
		{"/webhook", urlencodedBody("message")},
	}
	for _, tc := range cases {
		for _, chunked := range []bool{false, true} {
			name := fmt.Sprintf("%s %s chunked=%v", tc.path, strings.SplitN(tc.body.contentType, ";", 2)[0], chunked)
			a := postHuge(t, pg.URL, tc.path, tc.body, size, chunked, nil)
			if rss := rssKB(t, pid); rss > peak {
				peak = rss
			}
			if a.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: %d after %v, want 413\n%.300s", name, a.status, a.elapsed, a.body)
				continue
			}
			if a.elapsed > 5*time.Second {
				t.Errorf("%s: 413 only after %v: the body was read", name, a.elapsed)
			}
			if !strings.Contains(a.body, "太大") {
				t.Errorf("%s: the answer does not say the body is too large:\n%.500s", name, a.body)
			}
			page := tc.path != "/webhook"
			if isHTML := strings.HasPrefix(a.header.Get("Content-Type"), "text/html"); isHTML != page {
				t.Errorf("%s: Content-Type %q (a page expected: %v)", name, a.header.Get("Content-Type"), page)
			}
			if page && !strings.Contains(a.header.Get("Content-Security-Policy"), "style-src 'self'") {
				t.Errorf("%s: the error page lacks the pages' CSP (its stylesheet would be blocked): %q", name, a.header.Get("Content-Security-Policy"))
			}
		}
	}
	// The console's own htmx requests get the refusal as a toast.
	a := postHuge(t, pg.URL, "/admin/lang", urlencodedBody("lang"), size, true, map[string]string{"HX-Request": "true"})
	if a.status != 413 || a.header.Get("HX-Retarget") != "#toast" {
		t.Errorf("htmx post: %d, HX-Retarget %q", a.status, a.header.Get("HX-Retarget"))
	}
	t.Logf("paygate memory: %d MB before, %d MB at most during the huge posts", base>>10, peak>>10)
	if grown := peak - base; grown > 20<<10 {
		t.Errorf("paygate's memory grew by %d MB under huge posts (from %d MB), want < 20 MB", grown>>10, base>>10)
	}
	// Ordinary posts still work.
	if status, out := pg.call("POST", "/api/orders", `{"productName":"x","amount":1,"paymentMethod":"alipay"}`, bearer); status != 200 {
		t.Fatalf("an ordinary order after the attack: %d %v", status, out)
	}
}

// pngWithPadding is a PNG of a QR code made bigger than the form limit with an
// ancillary chunk that image decoders skip.
func pngWithPadding(t *testing.T, payload string, padding int) []byte {
	t.Helper()
	pic, err := qrcode.Encode(payload, qrcode.Medium, 300)
	if err != nil {
		t.Fatal(err)
	}
	const afterIHDR = 8 + 8 + 13 + 4
	data := append([]byte("Comment\x00"), bytes.Repeat([]byte("x"), padding)...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	typed := append([]byte("tEXt"), data...)
	chunk = append(chunk, typed...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(typed))
	return append(append(append([]byte{}, pic[:afterIHDR]...), chunk...), pic[afterIHDR:]...)
}

// The 收款码 picture upload has its own, larger limit: a 2 MB picture is
// taken, a 300 MB one is refused as soon as it is announced or passes 5 MB.
func TestPayQRUploadHasItsOwnBoundedLimit(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_RATE_LIMIT=0")
	own := newOwner(t, pg)
	pic := pngWithPadding(t, "https://qr.alipay.com/fkx17512abcdefghijklmn", 2<<20)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("image", "code.png")
	fw.Write(pic)
	mw.Close()
	if resp := own.post("/admin/settings/qr/alipay", url.Values{}, mw.FormDataContentType(), &buf); resp.StatusCode != 200 {
		t.Fatalf("a 2 MB 收款码 picture: %d, want 200", resp.StatusCode)
	}

	hx := map[string]string{"HX-Request": "true", "X-CSRF-Token": own.token("/admin/settings"), "Cookie": cookieHeader(own, pg)}
	for _, chunked := range []bool{false, true} {
		a := postHuge(t, pg.URL, "/admin/settings/qr/alipay", multipartFile("image"), 300<<20, chunked, hx)
		if a.status != 413 || a.elapsed > 5*time.Second || !strings.Contains(a.body, "5 MB") {
			t.Errorf("a 300 MB picture (chunked=%v): %d after %v\n%.300s", chunked, a.status, a.elapsed, a.body)
		}
	}
}

// cookieHeader is the owner's cookies as a Cookie header, for a raw request.
func cookieHeader(own *owner, in *instance) string {
	u, _ := url.Parse(in.URL + "/admin/")
	var parts []string
	for _, c := range own.cl.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// runPaygate runs the server on dataDir and expects it to stop by itself
// (refusing to start) within 20 s; its output and error come back.
func runPaygate(t *testing.T, dataDir string, argv ...string) (string, error) {
	t.Helper()
	if len(argv) == 0 {
		argv = []string{binPath}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PAYGATE_SERVER_ADDR="+freeAddr(t), "PAYGATE_DATA_DIR="+dataDir,
		"PAYGATE_SERVER_OPEN_BROWSER=false", "ATTACK_BIN="+binPath, "ATTACK_DIR="+dataDir)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("paygate did not refuse to start (still running after 20 s):\n%s", out.String())
		return "", nil
	}
}

// mustSay checks that out carries each piece of a message.
func mustSay(t *testing.T, what, out string, pieces ...string) {
	t.Helper()
	for _, p := range pieces {
		if !strings.Contains(out, p) {
			t.Errorf("%s: the message lacks %q:\n%s", what, p, out)
		}
	}
}

// Issue #11.7: after a reboot the lock file may hold the number of some other
// live process; that must not block the start. A second paygate on the same
// directory is refused, naming the first one's process.
func TestStaleLockFileDoesNotBlockStart(t *testing.T) {
	dir := t.TempDir()
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	if err := os.WriteFile(filepath.Join(dir, "paygate.pid"), []byte(strconv.Itoa(sleeper.Process.Pid)), 0o640); err != nil {
		t.Fatal(err)
	}
	pg := startPaygate(t, dir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)

	out, err := runPaygate(t, dir)
	if err == nil {
		t.Fatalf("a second paygate on one data directory started:\n%s", out)
	}
	mustSay(t, "second server", out, fmt.Sprintf("paygate (pid %d) already uses this data directory", pg.cmd.Process.Pid),
		fmt.Sprintf("进程 %d", pg.cmd.Process.Pid), "another paygate")

	// kill -9 leaves the file behind with a dead number: the next start works.
	pg.kill9()
	pg.start()
	if status, _ := pg.call("GET", "/health", "", nil); status != 200 {
		t.Fatalf("restart after kill -9: %d", status)
	}
}

// makeBackup starts paygate on dir, takes an order and a backup, and stops it.
func makeBackup(t *testing.T, dir string) string {
	t.Helper()
	pg := startPaygate(t, dir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	for i := 0; i < 50; i++ {
		pg.createOrder(`{"productName":"备份前","amount":1.23,"paymentMethod":"alipay"}`)
	}
	out, err := runCommand(t, dir, "backup")
	if err != nil {
		t.Fatalf("paygate backup: %v\n%s", err, out)
	}
	pg.stop()
	m := regexp.MustCompile(`backup written: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("backup output: %s", out)
	}
	return m[1]
}

// A garbage or truncated database: paygate refuses to start and says, in
// Chinese and English, to restore a backup, naming the newest one.
func TestCorruptDatabaseSaysHowToRestore(t *testing.T) {
	dir := t.TempDir()
	newest := makeBackup(t, dir)
	db := filepath.Join(dir, "paygate.db")
	good, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"garbage", bytes.Repeat([]byte("this is not a database. "), 200)},
		{"truncated", good[:len(good)/2]},
	} {
		if err := os.WriteFile(db, tc.data, 0o640); err != nil {
			t.Fatal(err)
		}
		out, err := runPaygate(t, dir)
		if err == nil {
			t.Fatalf("%s database: paygate started\n%s", tc.name, out)
		}
		mustSay(t, tc.name, out, "paygate restore "+newest, "损坏", "damaged")
		// The advice works: restore the named backup, then paygate starts.
		if tc.name == "truncated" {
			if out, err := runCommand(t, dir, "restore", newest); err != nil {
				t.Fatalf("restore: %v\n%s", err, out)
			}
			pg := startPaygate(t, dir)
			if status, _ := pg.call("GET", "/health", "", nil); status != 200 {
				t.Fatalf("after restore: %d", status)
			}
		}
	}
}

// A database a newer paygate has migrated is refused, not half-used.
func TestDatabaseFromNewerPaygateIsRefused(t *testing.T) {
	dir := t.TempDir()
	pg := startPaygate(t, dir)
	pg.stop()
	db, err := sql.Open("sqlite", filepath.Join(dir, "paygate.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_the_future.sql', 0)`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := runPaygate(t, dir)
	if err == nil {
		t.Fatalf("paygate started on a newer database:\n%s", out)
	}
	mustSay(t, "newer database", out, "9999", "更新版本", "newer paygate")
}

// unshareRoot runs script as root in a mount namespace of its own, so a
// read-only bind mount or a tiny tmpfs is seen by paygate only. Root ignores
// file modes, so chmod cannot make a directory read-only for it.
func unshareRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	if out, err := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c",
		"mount -t tmpfs -o size=64k tmpfs /mnt").CombinedOutput(); err != nil {
		t.Skipf("running as root, where file modes do not stop writes, and no mount namespace for a read-only mount (unshare -m: %v %s)", err, out)
	}
}

// A data directory paygate cannot write (file modes for an ordinary user, a
// read-only mount for root): a clear message in both languages, not EROFS.
func TestReadOnlyDataDirIsExplained(t *testing.T) {
	unshareRoot(t)
	for _, existing := range []bool{false, true} {
		dir := t.TempDir()
		if existing {
			startPaygate(t, dir).stop()
		}
		var out string
		var err error
		if os.Geteuid() == 0 {
			out, err = runPaygate(t, dir, "unshare", "-m", "--propagation", "private", "sh", "-c",
				`mount --bind "$ATTACK_DIR" "$ATTACK_DIR" && mount -o remount,bind,ro "$ATTACK_DIR" && exec "$ATTACK_BIN"`)
		} else {
			os.Chmod(dir, 0o555)
			out, err = runPaygate(t, dir)
			os.Chmod(dir, 0o755)
		}
		if err == nil {
			t.Fatalf("paygate started on a read-only data directory (existing database: %v):\n%s", existing, out)
		}
		mustSay(t, fmt.Sprintf("read-only (existing database: %v)", existing), out, "不能写入", "cannot write", dir)
	}
}

// A full disk at start: a clear message in both languages, not ENOSPC.
func TestFullDiskAtStartIsExplained(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a small tmpfs in a mount namespace")
	}
	unshareRoot(t)
	for _, existing := range []bool{false, true} {
		dir := t.TempDir()
		if existing {
			startPaygate(t, dir).stop()
		}
		out, err := runPaygate(t, dir, "unshare", "-m", "--propagation", "private", "sh", "-c",
			`cp -a "$ATTACK_DIR" /tmp/full-src.$$ && mount -t tmpfs -o size=1m tmpfs "$ATTACK_DIR" && cp -a /tmp/full-src.$$/. "$ATTACK_DIR"/ && rm -rf /tmp/full-src.$$ &&
			 rm -f "$ATTACK_DIR/paygate.pid" && (dd if=/dev/zero of="$ATTACK_DIR/filler" bs=4k 2>/dev/null; true) && exec "$ATTACK_BIN"`)
		if err == nil {
			t.Fatalf("paygate started on a full disk (existing database: %v):\n%s", existing, out)
		}
		mustSay(t, fmt.Sprintf("full disk (existing database: %v)", existing), out, "磁盘已满", "disk is full")
	}
}
