package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/sign"
)

// Endpoints are the services' API addresses. The defaults are the real
// ones; tests and self-hosted servers point them elsewhere.
type Endpoints struct {
	Bark       string // Bark server when a channel names none: https://api.day.app
	ServerChan string // Server酱 Turbo API: https://sctapi.ftqq.com
	Telegram   string // Telegram Bot API: https://api.telegram.org
}

// Default endpoints.
const (
	DefaultBark       = "https://api.day.app"
	DefaultServerChan = "https://sctapi.ftqq.com"
	DefaultTelegram   = "https://api.telegram.org"
)

func (e Endpoints) withDefaults() Endpoints {
	if e.Bark == "" {
		e.Bark = DefaultBark
	}
	if e.ServerChan == "" {
		e.ServerChan = DefaultServerChan
	}
	if e.Telegram == "" {
		e.Telegram = DefaultTelegram
	}
	for _, p := range []*string{&e.Bark, &e.ServerChan, &e.Telegram} {
		*p = strings.TrimRight(*p, "/")
	}
	return e
}

// Sender delivers messages to channels.
type Sender struct {
	endpoints Endpoints
	client    *http.Client
	timeout   time.Duration
}

// NewSender returns a sender that gives each message timeout. client may
// be nil: then one that follows no redirects and honours the environment's
// proxy (HTTPS_PROXY), which some owners need to reach Telegram.
func NewSender(e Endpoints, client *http.Client, timeout time.Duration) *Sender {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if client == nil {
		client = &http.Client{
			Timeout: timeout,
			// The owner's URLs are trusted, but a redirect is not an
			// answer, and following it could carry the message elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport:     &http.Transport{Proxy: http.ProxyFromEnvironment, TLSHandshakeTimeout: timeout, IdleConnTimeout: 90 * time.Second},
		}
	}
	return &Sender{endpoints: e.withDefaults(), client: client, timeout: timeout}
}

// Send delivers m to ch. The error says what went wrong for the console and
// never contains the channel's secrets (keys live in some of the URLs).
func (s *Sender) Send(ctx context.Context, ch app.AlertChannel, m Message) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	cfg := ch.Config
	switch ch.Kind {
	case app.ChannelBark:
		return s.bark(ctx, cfg, m)
	case app.ChannelServerChan:
		return s.serverChan(ctx, cfg, m)
	case app.ChannelWeCom:
		return s.postJSON(ctx, cfg.URL, textMessage(m), errcodeOK)
	case app.ChannelDingTalk:
		return s.dingTalk(ctx, cfg, m, time.Now())
	case app.ChannelTelegram:
		return s.telegram(ctx, cfg, m)
	case app.ChannelEmail:
		return sendEmail(ctx, cfg, m)
	case app.ChannelWebhook:
		return s.webhook(ctx, cfg, m)
	}
	return fmt.Errorf("unknown channel kind %q", ch.Kind)
}

// bark posts to the Bark server's /push (API v2): JSON with the device key.
func (s *Sender) bark(ctx context.Context, cfg app.AlertChannelConfig, m Message) error {
	server := strings.TrimRight(cfg.URL, "/")
	if server == "" {
		server = s.endpoints.Bark
	}
	body := map[string]any{"device_key": cfg.Key, "title": m.Title, "body": m.Body, "group": "paygate"}
	if m.Event == app.AlertOpened {
		body["level"] = "timeSensitive" // shown through Focus modes: something needs the owner
	}
	return s.postJSON(ctx, server+"/push", body, func(status int, raw []byte) error {
		var ans struct {
			Code    *int   `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &ans) == nil && ans.Code != nil && *ans.Code != 200 {
			return fmt.Errorf("Bark answered code %d: %s", *ans.Code, app.Clip(ans.Message, 200))
		}
		return nil
	})
}

// serverChanSC3 matches Server酱³ keys (sctp<uid>t…), which have their own host.
var serverChanSC3 = regexp.MustCompile(`^sctp(\d+)t`)

// serverChan posts the form title, desp to <api>/<SendKey>.send.
func (s *Sender) serverChan(ctx context.Context, cfg app.AlertChannelConfig, m Message) error {
	endpoint := s.endpoints.ServerChan + "/" + url.PathEscape(cfg.Key) + ".send"
	if sc3 := serverChanSC3.FindStringSubmatch(cfg.Key); sc3 != nil && s.endpoints.ServerChan == DefaultServerChan {
		endpoint = "https://" + sc3[1] + ".push.ft07.com/send/" + url.PathEscape(cfg.Key) + ".send"
	}
	// desp is Markdown: two spaces before each newline keep the lines apart.
	form := url.Values{"title": {app.ClipRunes(m.Title, 32)}, "desp": {strings.ReplaceAll(m.Body, "\n", "  \n")}}
	return s.do(ctx, http.MethodPost, endpoint, "application/x-www-form-urlencoded", []byte(form.Encode()), func(status int, raw []byte) error {
		var ans struct {
			Code    *int   `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &ans) == nil && ans.Code != nil && *ans.Code != 0 {
			return fmt.Errorf("Server酱 answered code %d: %s", *ans.Code, app.Clip(ans.Message, 200))
		}
		return nil
	})
}

// textMessage is the body 企业微信 and 钉钉 group bots take: msgtype text.
func textMessage(m Message) map[string]any {
	return map[string]any{"msgtype": "text", "text": map[string]string{"content": m.Title + "\n" + m.Body}}
}

// errcodeOK accepts the 企业微信 / 钉钉 answer {"errcode":0,"errmsg":"ok"}.
func errcodeOK(status int, raw []byte) error {
	var ans struct {
		Errcode *int   `json:"errcode"`
		Errmsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || ans.Errcode == nil {
		return fmt.Errorf("HTTP %d but the answer is not {\"errcode\":0}: %s", status, app.Clip(string(raw), 200))
	}
	if *ans.Errcode != 0 {
		return fmt.Errorf("the bot answered errcode %d: %s", *ans.Errcode, app.Clip(ans.Errmsg, 200))
	}
	return nil
}

// DingTalkSign is the 钉钉 加签 signature: base64 of HmacSHA256 keyed by the
// secret over timestamp_ms + "\n" + secret (URL-encoding is the query's).
func DingTalkSign(secret string, timestampMS int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestampMS, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// dingTalk posts to the bot's webhook, signed when the bot has a 加签 secret.
func (s *Sender) dingTalk(ctx context.Context, cfg app.AlertChannelConfig, m Message, now time.Time) error {
	target := cfg.URL
	if cfg.Secret != "" {
		u, err := url.Parse(cfg.URL)
		if err != nil {
			return errors.New("the 钉钉 webhook address is not a URL")
		}
		q := u.Query()
		ts := now.UnixMilli()
		q.Set("timestamp", strconv.FormatInt(ts, 10))
		q.Set("sign", DingTalkSign(cfg.Secret, ts))
		u.RawQuery = q.Encode()
		target = u.String()
	}
	return s.postJSON(ctx, target, textMessage(m), errcodeOK)
}

// telegram calls sendMessage of the Bot API.
func (s *Sender) telegram(ctx context.Context, cfg app.AlertChannelConfig, m Message) error {
	endpoint := s.endpoints.Telegram + "/bot" + cfg.Key + "/sendMessage"
	body := map[string]any{"chat_id": cfg.ChatID, "text": m.Title + "\n" + m.Body, "disable_web_page_preview": true}
	return s.postJSON(ctx, endpoint, body, func(status int, raw []byte) error {
		var ans struct {
			OK          bool   `json:"ok"`
			Description string `json:"description"`
		}
		if err := json.Unmarshal(raw, &ans); err != nil || !ans.OK {
			return fmt.Errorf("Telegram did not answer ok: %s", app.Clip(ans.Description, 200))
		}
		return nil
	})
}

// webhook posts the incident as JSON signed like paygate's callbacks: every
// field but signature, api_key (here: the webhook's secret) added, sorted,
// k=v joined with &, HMAC-SHA256 keyed by the secret, lowercase hex.
func (s *Sender) webhook(ctx context.Context, cfg app.AlertChannelConfig, m Message) error {
	fields := WebhookFields(m, time.Now())
	fields["signature"] = sign.HMAC(fields, cfg.Secret)
	body, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return s.do(ctx, http.MethodPost, cfg.URL, "application/json; charset=utf-8", body, func(int, []byte) error { return nil })
}

// WebhookFields are the signed webhook's fields, all strings, none empty.
func WebhookFields(m Message, now time.Time) map[string]string {
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	f := map[string]string{
		"event":     string(m.Event),
		"title":     m.Title,
		"text":      m.Body,
		"timestamp": app.FormatTime(now),
		"nonce":     hex.EncodeToString(nonce[:]),
	}
	if m.Incident.Kind != "" {
		f["kind"], f["openedAt"] = string(m.Incident.Kind), app.FormatTime(m.Incident.OpenedAt)
	}
	if m.Incident.Key != "" {
		f["key"] = m.Incident.Key
	}
	if !m.Incident.ClosedAt.IsZero() {
		f["closedAt"] = app.FormatTime(m.Incident.ClosedAt)
	}
	return f
}

func (s *Sender) postJSON(ctx context.Context, endpoint string, body any, check func(int, []byte) error) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return s.do(ctx, http.MethodPost, endpoint, "application/json; charset=utf-8", raw, check)
}

// do sends one request and judges the answer: 2xx, then check.
func (s *Sender) do(ctx context.Context, method, endpoint, contentType string, body []byte, check func(int, []byte) error) error {
	req, err := http.NewRequestWithContext(ctx, method, endpoint, bytes.NewReader(body))
	if err != nil {
		return errors.New("the address is not a valid URL")
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "paygate-alert/1")
	resp, err := s.client.Do(req)
	if err != nil {
		return requestError(err, s.timeout)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return fmt.Errorf("HTTP %d redirect not followed: use the final address", resp.StatusCode)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, app.Clip(strings.ToValidUTF8(string(raw), "�"), 200))
	}
	return check(resp.StatusCode, raw)
}

// requestError says why a request got no answer without the URL, which may
// hold a key or token.
func requestError(err error, timeout time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout") {
		return fmt.Errorf("no answer within %s", timeout)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}
