package gateway

import (
	"context"
	"errors"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"paygate/app"
	"paygate/app/console"
)

// AlertQueue delivers the owner's alert messages (package alert): the
// gateway wakes it when an incident starts or clears, and asks it to send
// a channel's test message now.
type AlertQueue interface {
	Wake()
	SendTest(ctx context.Context, ch app.AlertChannel) error
}

// Raise records that something needs the owner: kind names what (device
// silent, backups failing, replication lagging …), key which one (a device
// id, a host; "" when there is only one), text what happened and what to
// do, Chinese then English. The first Raise of an incident queues one
// message per alert channel; more Raises while it is open send nothing.
// Later features call it too.
func (g *Gateway) Raise(ctx context.Context, kind app.AlertKind, key, text string) error {
	opened, err := g.db.RaiseIncident(ctx, kind, key, text)
	if err != nil {
		return err
	}
	if opened {
		g.log.Warn("alert", "kind", kind, "key", key, "text", text)
		g.wakeAlerts()
	}
	return nil
}

// Clear records that kind/key no longer needs the owner: an open incident
// closes, and its recovery message goes out once it has stayed clear for
// the settle time (alerts.settle). Clearing what is not open does nothing.
func (g *Gateway) Clear(ctx context.Context, kind app.AlertKind, key string) error {
	closed, err := g.db.ClearIncident(ctx, kind, key, g.alertSettle)
	if err != nil {
		return err
	}
	if closed {
		g.log.Info("alert cleared", "kind", kind, "key", key)
		g.wakeAlerts()
	}
	return nil
}

func (g *Gateway) wakeAlerts() {
	if g.alerts != nil {
		g.alerts.Wake()
	}
}

// BackupDone is told how each scheduled backup went: a failure raises an
// alert, the next success clears it.
func (g *Gateway) BackupDone(ctx context.Context, err error) {
	var e error
	if err != nil {
		e = g.Raise(ctx, app.AlertBackupFailed, "",
			"定时备份失败："+app.Clip(err.Error(), 300)+"。请检查数据目录所在磁盘是否已满或只读；在此之前，数据库没有新的备份。\n"+
				"The scheduled backup failed: "+app.Clip(err.Error(), 300)+". Check that the data directory's disk is not full or read-only; until then there is no new backup.")
	} else {
		e = g.Clear(ctx, app.AlertBackupFailed, "")
	}
	if e != nil {
		g.log.Error("recording the backup alert", "err", e)
	}
}

// AlertsPage is the console's alerts page.
func (g *Gateway) AlertsPage(ctx context.Context) (console.AlertsPage, error) {
	var p console.AlertsPage
	var err error
	if p.Channels, err = g.db.AlertChannels(ctx); err != nil {
		return p, err
	}
	if p.Incidents, err = g.db.OpenIncidents(ctx); err != nil {
		return p, err
	}
	if p.Messages, err = g.db.RecentAlertMessages(ctx, 30); err != nil {
		return p, err
	}
	if p.QuietHours, err = g.db.QuietHours(ctx); err != nil {
		return p, err
	}
	p.MaxPerHour, p.Settle = g.alertMaxPerHour, g.alertSettle
	return p, nil
}

// AlertChannelsOn counts the alert channels switched on.
func (g *Gateway) AlertChannelsOn(ctx context.Context) (int, error) {
	list, err := g.db.AlertChannels(ctx)
	n := 0
	for _, ch := range list {
		if ch.Enabled {
			n++
		}
	}
	return n, err
}

// maxAlertChannels bounds the channels one paygate has.
const maxAlertChannels = 20

// AddAlertChannel checks the form and adds the channel, switched on; by is
// who asked.
func (g *Gateway) AddAlertChannel(ctx context.Context, f console.AlertChannelForm, by string) (app.AlertChannel, error) {
	ch, err := ParseAlertChannel(f)
	if err != nil {
		return ch, err
	}
	list, err := g.db.AlertChannels(ctx)
	if err != nil {
		return ch, err
	}
	if len(list) >= maxAlertChannels {
		return ch, app.NewError(app.ECONFLICT, "kind", "提醒渠道最多 20 个：请先删掉不用的。", "At most 20 alert channels: delete one you do not use first.")
	}
	if ch, err = g.db.CreateAlertChannel(ctx, ch); err != nil {
		return ch, err
	}
	return ch, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditAlertChannelAdd, Subject: alertSubject(ch.ID),
		Detail: string(ch.Kind) + " " + ch.Name + " → " + ch.Target()})
}

func alertSubject(id int64) string { return "alert#" + strconv.FormatInt(id, 10) }

// SetAlertChannelEnabled switches a channel on or off; by is who asked.
func (g *Gateway) SetAlertChannelEnabled(ctx context.Context, id int64, on bool, by string) (app.AlertChannel, error) {
	if err := g.db.SetAlertChannelEnabled(ctx, id, on); err != nil {
		return app.AlertChannel{}, err
	}
	ch, err := g.alertChannel(ctx, id)
	if err != nil {
		return ch, err
	}
	action := app.AuditAlertChannelOff
	if on {
		action = app.AuditAlertChannelOn
	}
	return ch, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: action, Subject: alertSubject(id), Detail: ch.Name})
}

// alertChannel is one channel with its latest outcome.
func (g *Gateway) alertChannel(ctx context.Context, id int64) (app.AlertChannel, error) {
	list, err := g.db.AlertChannels(ctx)
	if err != nil {
		return app.AlertChannel{}, err
	}
	for _, ch := range list {
		if ch.ID == id {
			return ch, nil
		}
	}
	return g.db.AlertChannel(ctx, id) // not found: its error says so
}

// DeleteAlertChannel removes a channel and its queued messages; by is who asked.
func (g *Gateway) DeleteAlertChannel(ctx context.Context, id int64, by string) error {
	ch, err := g.db.AlertChannel(ctx, id)
	if err != nil {
		return err
	}
	if err := g.db.DeleteAlertChannel(ctx, id); err != nil {
		return err
	}
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditAlertChannelDrop, Subject: alertSubject(id), Detail: ch.Name})
}

// TestAlertChannel sends the channel's test message now and says how it
// went; by is who asked.
func (g *Gateway) TestAlertChannel(ctx context.Context, id int64, by string) (console.AlertTest, error) {
	ch, err := g.alertChannel(ctx, id)
	if err != nil {
		return console.AlertTest{}, err
	}
	if g.alerts == nil {
		return console.AlertTest{}, app.NewError(app.EUNAVAILABLE, "", "这个 paygate 不能发送提醒。", "This paygate cannot send alerts.")
	}
	res := console.AlertTest{Channel: ch}
	start := time.Now()
	if err := g.alerts.SendTest(ctx, ch); err != nil {
		res.Error = err.Error()
	}
	res.DurationMS = time.Since(start).Milliseconds()
	result := "ok"
	if res.Error != "" {
		result = "failed: " + res.Error
	}
	return res, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditAlertChannelTest, Subject: alertSubject(id), Detail: ch.Name + " " + result})
}

// SetQuietHours sets the daily stretch (Shanghai time) in which alerts
// wait, e.g. 22:00-08:00; "" for none. by is who asked.
func (g *Gateway) SetQuietHours(ctx context.Context, text, by string) (app.QuietHours, error) {
	q, err := app.ParseQuietHours(text)
	if err != nil {
		return q, err
	}
	if err := g.db.SetQuietHours(ctx, q); err != nil {
		return q, err
	}
	g.wakeAlerts()
	detail := q.String()
	if detail == "" {
		detail = "(none)"
	}
	return q, g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditAlertQuietHours, Detail: detail})
}

var (
	serverChanKey = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)
	telegramToken = regexp.MustCompile(`^[0-9]{3,20}:[A-Za-z0-9_-]{20,80}$`)
	telegramChat  = regexp.MustCompile(`^(-?[0-9]{1,20}|@[A-Za-z0-9_]{4,64})$`)
	barkKey       = regexp.MustCompile(`^[A-Za-z0-9]{8,64}$`)
)

// ParseAlertChannel checks a new channel's form: the fields its kind needs,
// in the shape the service gives them out.
func ParseAlertChannel(f console.AlertChannelForm) (app.AlertChannel, error) {
	ch := app.AlertChannel{Kind: app.AlertChannelKind(strings.TrimSpace(f.Kind)), Enabled: true}
	known := false
	for _, k := range app.AlertChannelKinds {
		known = known || k == ch.Kind
	}
	if !known {
		return ch, app.NewError(app.EINVALID, "kind", "请选择提醒方式：Bark、Server酱、企业微信、钉钉、Telegram、电子邮件或 Webhook。",
			"Choose how to be alerted: Bark, Server酱, WeCom, DingTalk, Telegram, e-mail or webhook.")
	}
	ch.Name = strings.TrimSpace(f.Name)
	if ch.Name == "" {
		ch.Name = ch.Kind.Label("zh")
	}
	if utf8.RuneCountInString(ch.Name) > 40 {
		return ch, app.NewError(app.EINVALID, "name", "名称最多 40 个字。", "The name is at most 40 characters.")
	}
	trim := strings.TrimSpace
	c := app.AlertChannelConfig{URL: trim(f.URL), Key: trim(f.Key), Secret: trim(f.Secret), ChatID: trim(f.ChatID),
		Host: trim(f.Host), Username: trim(f.Username), Password: f.Password, From: trim(f.From), To: trim(f.To)}
	webURL := func(field, zh, en string) error {
		u, err := app.ParseURL(field, c.URL)
		if err != nil || u == "" {
			return app.NewError(app.EINVALID, field, zh, en)
		}
		return nil
	}
	var err error
	switch ch.Kind {
	case app.ChannelBark:
		// The app shows a test address like https://api.day.app/<key>/推送内容: take the server and key from it.
		if c.Key == "" && strings.Contains(c.URL, "://") {
			if u, perr := urlParts(c.URL); perr == nil && len(u.path) > 0 {
				c.URL, c.Key = u.base, u.path[0]
			}
		}
		if c.URL != "" {
			if u, perr := urlParts(c.URL); perr != nil {
				err = app.NewError(app.EINVALID, "url", "Bark 服务器要以 https:// 开头，例如 https://api.day.app；用官方服务器就留空。",
					"The Bark server starts with https://, e.g. https://api.day.app; leave it empty for the official one.")
			} else {
				c.URL = u.base
			}
		}
		if err == nil && !barkKey.MatchString(c.Key) {
			err = app.NewError(app.EINVALID, "key", "请填 Bark App 里显示的 key（网址 https://api.day.app/ 后面那一段，例如 ynJ5Ft4atkMkWeo2PAvFhF）。",
				"Enter the key the Bark app shows (the part after https://api.day.app/, e.g. ynJ5Ft4atkMkWeo2PAvFhF).")
		}
	case app.ChannelServerChan:
		if !serverChanKey.MatchString(c.Key) {
			err = app.NewError(app.EINVALID, "key", "请填 Server酱 的 SendKey（在 sct.ftqq.com 的 SendKey 页面复制，以 SCT 或 sctp 开头）。",
				"Enter the Server酱 SendKey (copy it from the SendKey page of sct.ftqq.com; it starts with SCT or sctp).")
		}
	case app.ChannelWeCom:
		err = webURL("url", "请填企业微信群机器人的 Webhook 地址（群设置 → 消息推送/群机器人 → 复制地址，以 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key= 开头）。",
			"Enter the WeCom group bot's webhook address (group settings → bots → copy the address; it starts with https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=).")
	case app.ChannelDingTalk:
		err = webURL("url", "请填钉钉群机器人的 Webhook 地址（以 https://oapi.dingtalk.com/robot/send?access_token= 开头）。",
			"Enter the DingTalk group bot's webhook address (it starts with https://oapi.dingtalk.com/robot/send?access_token=).")
		if err == nil && c.Secret != "" && !strings.HasPrefix(c.Secret, "SEC") {
			err = app.NewError(app.EINVALID, "secret", "加签密钥以 SEC 开头（机器人安全设置 → 加签）；用“自定义关键词”的话这里留空，关键词填 paygate。",
				"The signing secret starts with SEC (bot security settings → 加签); with a custom keyword instead, leave this empty and use the keyword paygate.")
		}
	case app.ChannelTelegram:
		if !telegramToken.MatchString(c.Key) {
			err = app.NewError(app.EINVALID, "key", "请填 @BotFather 给的机器人 token，例如 123456789:AAF…。", "Enter the bot token @BotFather gave you, e.g. 123456789:AAF….")
		} else if !telegramChat.MatchString(c.ChatID) {
			err = app.NewError(app.EINVALID, "chatId", "请填 chat id（数字，群组是负数，例如 -1001234567890），或频道的 @用户名。",
				"Enter the chat id (a number; groups are negative, e.g. -1001234567890), or a channel's @username.")
		}
	case app.ChannelEmail:
		err = parseEmailChannel(&c)
	case app.ChannelWebhook:
		err = webURL("url", "请填接收提醒的网址，以 http:// 或 https:// 开头。", "Enter the address that receives the alerts, starting with http:// or https://.")
		if err == nil && len(c.Secret) < 8 {
			err = app.NewError(app.EINVALID, "secret", "请设一个至少 8 位的签名密钥：接收方用它验证提醒确实来自 paygate（签名方法和回调一样）。",
				"Set a signing secret of at least 8 characters: the receiver checks with it that alerts come from paygate (signed like callbacks).")
		}
	}
	ch.Config = c
	return ch, err
}

func parseEmailChannel(c *app.AlertChannelConfig) error {
	if c.Host == "" || strings.ContainsAny(c.Host, "/ ") {
		return app.NewError(app.EINVALID, "host", "请填发信服务器（SMTP）地址和端口，例如 smtp.qq.com:465。", "Enter the SMTP server and port, e.g. smtp.qq.com:465.")
	}
	if c.From == "" {
		c.From = c.Username
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return app.NewError(app.EINVALID, "from", "请填发件人邮箱，例如 shop@qq.com。", "Enter the sender's address, e.g. shop@qq.com.")
	}
	if list, err := mail.ParseAddressList(c.To); err != nil || len(list) == 0 || len(list) > 10 {
		return app.NewError(app.EINVALID, "to", "请填收件人邮箱，多个用英文逗号隔开（最多 10 个）。", "Enter the recipients' addresses, separated by commas (at most 10).")
	}
	if c.Username != "" && c.Password == "" {
		return app.NewError(app.EINVALID, "password", "请填邮箱的授权码（QQ、163 等邮箱在设置里开启 SMTP 后生成，不是登录密码）。",
			"Enter the mailbox's app password (QQ, 163 and others make one when you turn on SMTP in their settings; not the login password).")
	}
	return nil
}

type splitURL struct {
	base string   // scheme://host
	path []string // path segments
}

func urlParts(raw string) (splitURL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return splitURL{}, errors.New("not an http(s) address")
	}
	var segs []string
	for _, s := range strings.Split(u.Path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return splitURL{base: u.Scheme + "://" + u.Host, path: segs}, nil
}
