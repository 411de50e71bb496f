package alert

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"paygate/app"
)

// ParseSMTPHost reads host[:port]; the port defaults to 465 (SMTP over
// TLS, what QQ, 163 and most Chinese mail services ask for).
func ParseSMTPHost(s string) (host, port string, err error) {
	s = strings.TrimSpace(s)
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else {
		host, port = s, "465"
	}
	if host == "" || strings.ContainsAny(host, "/ ") {
		return "", "", errors.New("the SMTP server must be host or host:port, e.g. smtp.qq.com:465")
	}
	return host, port, nil
}

// sendEmail sends m over SMTP: TLS from the start on port 465, else
// STARTTLS when the server offers it; the password is only ever sent over
// TLS (or to this machine).
func sendEmail(ctx context.Context, cfg app.AlertChannelConfig, m Message) error {
	host, port, err := ParseSMTPHost(cfg.Host)
	if err != nil {
		return err
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return errors.New("the sender address is not an e-mail address")
	}
	to, err := mail.ParseAddressList(cfg.To)
	if err != nil || len(to) == 0 {
		return errors.New("the recipients are not e-mail addresses")
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(10 * time.Second)
	}
	dialer := &net.Dialer{Deadline: deadline}
	addr := net.JoinHostPort(host, port)
	var conn net.Conn
	if port == "465" {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: &tls.Config{ServerName: host}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("cannot reach the SMTP server %s: %w", addr, unwrapOp(err))
	}
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer c.Close()
	if port != "465" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
				return fmt.Errorf("SMTP STARTTLS: %w", err)
			}
		}
	}
	if cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, host)); err != nil {
			return fmt.Errorf("SMTP login refused: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	for _, r := range to {
		if err := c.Rcpt(r.Address); err != nil {
			return fmt.Errorf("SMTP RCPT TO %s: %w", r.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(emailMessage(from, to, m, time.Now())); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	return c.Quit()
}

// emailMessage is m as an RFC 5322 message: UTF-8 subject and names
// encoded, the body base64 in lines of 76.
func emailMessage(from *mail.Address, to []*mail.Address, m Message, now time.Time) []byte {
	var id [12]byte
	_, _ = rand.Read(id[:])
	domain := from.Address[strings.LastIndex(from.Address, "@")+1:]
	var rcpts []string
	for _, a := range to {
		rcpts = append(rcpts, a.String())
	}
	var b strings.Builder
	b.WriteString("From: " + from.String() + "\r\n")
	b.WriteString("To: " + strings.Join(rcpts, ", ") + "\r\n")
	b.WriteString("Subject: " + mime.BEncoding.Encode("UTF-8", m.Title) + "\r\n")
	b.WriteString("Date: " + now.Format(time.RFC1123Z) + "\r\n")
	b.WriteString("Message-ID: <" + hex.EncodeToString(id[:]) + ".paygate@" + domain + ">\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(m.Body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return []byte(b.String())
}

// unwrapOp drops the *net.OpError wrapping, keeping the reason.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}
