package tlsauto

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/acme"

	"paygate/app"
)

// probePath is where the plain-HTTP side answers the reachability check.
const probePath = "/.well-known/paygate-check/"

// preflight checks, before the CA is asked, that domain has an address and
// that http://domain/ reaches this paygate. A problem is definite when
// asking the CA would only fail (and count against its limits): no address,
// or another server answers there. A check that gets no answer is not
// definite: some networks cannot reach their own public address from inside,
// so the CA is asked anyway.
func (m *Manager) preflight(ctx context.Context, domain string, httpPort int) (problem *app.Problem, definite bool) {
	resolver := m.opts.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	lookupCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	addrs, err := resolver.LookupIPAddr(lookupCtx, domain)
	if err != nil || len(addrs) == 0 {
		return &app.Problem{
			Zh: fmt.Sprintf("域名 %s 查不到解析记录：请在域名服务商那里添加一条 A 记录（IPv6 用 AAAA），指向这台服务器的公网 IP；生效后（通常几分钟）paygate 会自动重试。", domain),
			En: fmt.Sprintf("The domain %s has no address: add an A record (AAAA for IPv6) at your DNS provider pointing to this server's public IP; once it is live (usually minutes) paygate tries again by itself.", domain),
		}, true
	}
	ips := make([]string, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP.String()
	}
	where := strings.Join(ips, ", ")

	dialer := &net.Dialer{Timeout: 5 * time.Second, Resolver: resolver}
	client := &http.Client{Timeout: 8 * time.Second,
		Transport:     &http.Transport{DialContext: dialer.DialContext, Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u := url.URL{Scheme: "http", Host: domain, Path: probePath + m.probe}
	if httpPort != 0 && httpPort != 80 {
		u.Host = net.JoinHostPort(domain, strconv.Itoa(httpPort))
	}
	resp, err := client.Get(u.String())
	if err != nil {
		return &app.Problem{
			Zh: fmt.Sprintf("从本机访问 http://%s/ 没有回应（%s 解析到 %s）：请确认防火墙（ufw/firewalld）和云服务器的安全组放行了 TCP 80 和 443 端口，且域名指向这台服务器。", domain, domain, where),
			En: fmt.Sprintf("http://%s/ did not answer from here (%s resolves to %s): make sure the firewall (ufw/firewalld) and the cloud provider's security group allow TCP ports 80 and 443, and that the domain points to this server.", domain, domain, where),
		}, false
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK && string(body) == m.probe {
		return nil, false
	}
	return &app.Problem{
		Zh: fmt.Sprintf("域名 %s 解析到 %s，但那里回答的不是这个 paygate（HTTP %d）：请把域名的 A/AAAA 记录改成这台服务器的公网 IP，关闭 CDN 或代理，并停掉占用 80 端口的其他网站程序。", domain, where, resp.StatusCode),
		En: fmt.Sprintf("The domain %s resolves to %s, but what answers there is not this paygate (HTTP %d): point its A/AAAA record to this server's public IP, turn off any CDN or proxy, and stop other web servers on port 80.", domain, where, resp.StatusCode),
	}, true
}

// explainACME says why the CA gave no certificate and what to check.
// earlier is the reachability check's advice, when it had some.
func explainACME(domain, directory string, err error, earlier *app.Problem) *app.Problem {
	ca := directory
	if u, perr := url.Parse(directory); perr == nil && u.Host != "" {
		ca = u.Host
	}
	detail := err.Error()
	kind := problemKind(err)
	var p app.Problem
	switch {
	case kind == "ratelimited":
		p = app.Problem{
			Zh: fmt.Sprintf("证书颁发机构 %s 暂时限制了 %s 的申请次数（失败太多或申请太频繁）：paygate 稍后自动重试，通常一小时内恢复。", ca, domain),
			En: fmt.Sprintf("The CA %s is rate-limiting requests for %s (too many failures or requests): paygate retries later by itself, usually within the hour.", ca, domain),
		}
	case kind == "caa":
		p = app.Problem{
			Zh: fmt.Sprintf("域名 %s 的 CAA 记录不允许 %s 签发证书：在 DNS 里删除 CAA 记录或加上这个机构。", domain, ca),
			En: fmt.Sprintf("The CAA record of %s does not allow %s to issue: remove the CAA record or add this CA to it.", domain, ca),
		}
	case kind == "rejectedidentifier":
		p = app.Problem{
			Zh: fmt.Sprintf("证书颁发机构 %s 拒绝为 %s 签发证书：请换一个公网可解析的域名。", ca, domain),
			En: fmt.Sprintf("The CA %s refuses to issue for %s: use a public domain name.", ca, domain),
		}
	case kind == "externalaccountrequired" || kind == "unauthorized" && strings.Contains(strings.ToLower(detail), "external account"):
		p = app.Problem{
			Zh: fmt.Sprintf("证书颁发机构 %s 要求绑定账户（EAB）：在它的控制台生成 EAB 凭据，填入 server.acme_eab_kid 和 server.acme_eab_hmac_key。", ca),
			En: fmt.Sprintf("The CA %s requires an external account binding: create EAB credentials in its dashboard and set server.acme_eab_kid and server.acme_eab_hmac_key.", ca),
		}
	case kind == "connection" || kind == "dns" || kind == "unauthorized" || kind == "incorrectresponse" || kind == "tls" ||
		errors.As(err, new(*acme.AuthorizationError)) || strings.Contains(detail, "no viable challenge type"):
		p = app.Problem{
			Zh: fmt.Sprintf("证书颁发机构 %s 从外网验证不了域名 %s：请确认域名的 A/AAAA 记录指向这台服务器，防火墙和云服务器安全组放行了 TCP 80 和 443 端口，且没有 CDN 或代理挡在前面。", ca, domain),
			En: fmt.Sprintf("The CA %s could not verify %s from the internet: make sure its A/AAAA record points to this server, the firewall and the cloud security group allow TCP ports 80 and 443, and no CDN or proxy sits in front.", ca, domain),
		}
	case isNetworkError(err):
		p = app.Problem{
			Zh: fmt.Sprintf("连不上证书颁发机构 %s：请确认这台服务器能访问外网的 HTTPS（出站 443），以及 server.acme_directory 写对了。", ca),
			En: fmt.Sprintf("Cannot reach the CA %s: make sure this server can make outgoing HTTPS connections (port 443 out) and that server.acme_directory is right.", ca),
		}
	default:
		p = app.Problem{
			Zh: fmt.Sprintf("申请 %s 的证书失败。", domain),
			En: fmt.Sprintf("Obtaining the certificate for %s failed.", domain),
		}
	}
	if earlier != nil {
		p.Zh += " " + earlier.Zh
		p.En += " " + earlier.En
	}
	p.Zh += "（详情：" + detail + "）"
	p.En += " (detail: " + detail + ")"
	return &p
}

// problemKind is the ACME problem type's last part (connection, dns,
// unauthorized, rateLimited …) in lower case, found in err or the errors it holds.
func problemKind(err error) string {
	var ae *acme.Error
	if errors.As(err, &ae) {
		return lastPart(ae.ProblemType)
	}
	var authz *acme.AuthorizationError
	if errors.As(err, &authz) {
		for _, e := range authz.Errors {
			if errors.As(e, &ae) {
				return lastPart(ae.ProblemType)
			}
		}
	}
	var oe *acme.OrderError
	if errors.As(err, &oe) && oe.Problem != nil {
		return lastPart(oe.Problem.ProblemType)
	}
	// autocert flattens some errors into text: find the URN there.
	s := err.Error()
	if i := strings.Index(s, "urn:ietf:params:acme:error:"); i >= 0 {
		rest := s[i+len("urn:ietf:params:acme:error:"):]
		if j := strings.IndexFunc(rest, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }); j >= 0 {
			rest = rest[:j]
		}
		return strings.ToLower(rest)
	}
	return ""
}

func lastPart(urn string) string {
	return strings.ToLower(urn[strings.LastIndex(urn, ":")+1:])
}

func isNetworkError(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
