package app

import (
	"strings"
	"time"
)

// AlertKind names what an incident is about. Each kind has a key (the
// device, the destination host …) so one kind can have several incidents.
type AlertKind string

// Kinds of incidents paygate tells the owner about.
const (
	AlertDeviceSilent     AlertKind = "device_silent"     // key: the device id; a phone that sends heartbeats went quiet
	AlertOrdersUnheard    AlertKind = "orders_unheard"    // pending orders and no notification from any phone for a while
	AlertPaymentsWaiting  AlertKind = "payments_waiting"  // payments wait for a person to say which order they pay
	AlertCallbacksFailing AlertKind = "callbacks_failing" // key: the destination host; the shop does not acknowledge
	AlertDiskLow          AlertKind = "disk_low"          // little free space left for the database
	AlertBackupFailed     AlertKind = "backup_failed"     // the scheduled backup did not work
)

// Audit actions of staying connected: the public address and the alert channels.
const (
	AuditPublicURL        = "settings.public_url"
	AuditAlertChannelAdd  = "alert.channel_add"
	AuditAlertChannelOn   = "alert.channel_on"
	AuditAlertChannelOff  = "alert.channel_off"
	AuditAlertChannelDrop = "alert.channel_delete"
	AuditAlertChannelTest = "alert.channel_test"
	AuditAlertQuietHours  = "alert.quiet_hours"
)

// Title is the short headline of an incident of kind, in Chinese and English.
func (k AlertKind) Title() (zh, en string) {
	switch k {
	case AlertDeviceSilent:
		return "手机失联", "Phone silent"
	case AlertOrdersUnheard:
		return "有订单在等，手机没有发来通知", "Orders wait, no notification from the phone"
	case AlertPaymentsWaiting:
		return "收款等待人工确认", "Payments wait for you"
	case AlertCallbacksFailing:
		return "商户回调失败", "Callbacks to the shop failing"
	case AlertDiskLow:
		return "磁盘空间不足", "Disk almost full"
	case AlertBackupFailed:
		return "备份失败", "Backup failed"
	}
	return "paygate 提醒", "paygate alert"
}

// AlertIncident is something that needs the owner, from when it started to
// when it cleared. At most one incident of a kind and key is open at a time.
type AlertIncident struct {
	ID       int64
	Kind     AlertKind
	Key      string
	Text     string // what happened and what to do: Chinese, a newline, English
	OpenedAt time.Time
	ClosedAt time.Time // zero while open
}

// Open reports whether the incident has not cleared.
func (i AlertIncident) Open() bool { return i.ClosedAt.IsZero() }

// AlertEvent is which message of an incident a queued message is.
type AlertEvent string

// Alert events.
const (
	AlertOpened AlertEvent = "open"  // the incident started
	AlertClosed AlertEvent = "clear" // it cleared
	// AlertResolved replaces an opening message that had not gone out yet
	// (quiet hours, a channel down) when the incident cleared: one message
	// says both when it started and when it ended.
	AlertResolved AlertEvent = "resolved"
)

// AlertMessageStatus is where a queued alert message is.
type AlertMessageStatus string

// Alert message statuses.
const (
	AlertPending AlertMessageStatus = "pending"
	AlertSent    AlertMessageStatus = "sent"
	AlertFailed  AlertMessageStatus = "failed"  // out of attempts
	AlertDropped AlertMessageStatus = "dropped" // no longer worth sending (cleared within the settle time, channel off)
)

// AlertMessage is one message of an incident to one channel, in the durable queue.
type AlertMessage struct {
	ID            int64
	ChannelID     int64
	ChannelName   string
	ChannelKind   AlertChannelKind
	Incident      AlertIncident
	Event         AlertEvent
	Status        AlertMessageStatus
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time
	SentAt        time.Time
	LastError     string
}

// AlertDelivery is a claimed message with the channel it goes to.
type AlertDelivery struct {
	Message AlertMessage
	Channel AlertChannel
}

// AlertChannelKind is how an alert reaches the owner.
type AlertChannelKind string

// Alert channels.
const (
	ChannelBark       AlertChannelKind = "bark"       // the iOS Bark app
	ChannelServerChan AlertChannelKind = "serverchan" // Server酱 (WeChat)
	ChannelWeCom      AlertChannelKind = "wecom"      // 企业微信 group bot
	ChannelDingTalk   AlertChannelKind = "dingtalk"   // 钉钉 group bot, signed
	ChannelTelegram   AlertChannelKind = "telegram"   // Telegram Bot API
	ChannelEmail      AlertChannelKind = "email"      // SMTP
	ChannelWebhook    AlertChannelKind = "webhook"    // a signed JSON POST
)

// AlertChannelKinds lists every channel kind, in the order the console offers them.
var AlertChannelKinds = []AlertChannelKind{ChannelBark, ChannelServerChan, ChannelWeCom, ChannelDingTalk, ChannelTelegram, ChannelEmail, ChannelWebhook}

// Label names the channel kind for a person.
func (k AlertChannelKind) Label(lang string) string {
	en := lang == "en"
	switch k {
	case ChannelBark:
		return "Bark"
	case ChannelServerChan:
		if en {
			return "ServerChan (Server酱)"
		}
		return "Server酱"
	case ChannelWeCom:
		if en {
			return "WeCom group bot (企业微信)"
		}
		return "企业微信群机器人"
	case ChannelDingTalk:
		if en {
			return "DingTalk group bot (钉钉)"
		}
		return "钉钉群机器人"
	case ChannelTelegram:
		return "Telegram"
	case ChannelEmail:
		if en {
			return "E-mail"
		}
		return "电子邮件"
	case ChannelWebhook:
		if en {
			return "Signed webhook"
		}
		return "签名 Webhook"
	}
	return string(k)
}

// AlertChannelConfig holds what a channel needs; which fields depends on
// the kind. Secrets (keys, tokens, passwords) are never shown back in full.
type AlertChannelConfig struct {
	URL      string `json:"url,omitempty"`      // bark server, 企业微信/钉钉 webhook, webhook URL
	Key      string `json:"key,omitempty"`      // bark device key, Server酱 SendKey, Telegram bot token
	Secret   string `json:"secret,omitempty"`   // 钉钉 加签 secret, webhook signing secret
	ChatID   string `json:"chatId,omitempty"`   // Telegram chat
	Host     string `json:"host,omitempty"`     // SMTP server host:port
	Username string `json:"username,omitempty"` // SMTP
	Password string `json:"password,omitempty"` // SMTP
	From     string `json:"from,omitempty"`     // SMTP sender address
	To       string `json:"to,omitempty"`       // SMTP recipients, comma separated
}

// AlertChannel is one place alerts go.
type AlertChannel struct {
	ID        int64
	Kind      AlertChannelKind
	Name      string
	Config    AlertChannelConfig
	Enabled   bool
	CreatedAt time.Time
	// LastSentAt and LastError describe its latest message, for the console.
	LastSentAt time.Time
	LastError  string
}

// Target says where the channel sends, secrets masked, for the console.
func (c AlertChannel) Target() string {
	cfg := c.Config
	switch c.Kind {
	case ChannelBark:
		return strings.TrimRight(cfg.URL, "/") + " · " + MaskSecret(cfg.Key)
	case ChannelServerChan:
		return "SendKey " + MaskSecret(cfg.Key)
	case ChannelWeCom, ChannelDingTalk, ChannelWebhook:
		return MaskURL(cfg.URL)
	case ChannelTelegram:
		return "chat " + cfg.ChatID + " · bot " + MaskSecret(cfg.Key)
	case ChannelEmail:
		return cfg.To + " · " + cfg.Host
	}
	return ""
}

// MaskSecret shows a secret's last four characters only.
func MaskSecret(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("•", len(s))
	}
	return "••••" + s[len(s)-4:]
}

// MaskURL hides a URL's query values and user info, where webhook tokens live.
func MaskURL(u string) string {
	base, query, ok := strings.Cut(u, "?")
	if at := strings.Index(base, "@"); at > 0 {
		if scheme := strings.Index(base, "://"); scheme > 0 && scheme < at {
			base = base[:scheme+3] + "•••@" + base[at+1:]
		}
	}
	if !ok {
		return base
	}
	parts := strings.Split(query, "&")
	for i, p := range parts {
		if k, v, ok := strings.Cut(p, "="); ok {
			parts[i] = k + "=" + MaskSecret(v)
		}
	}
	return base + "?" + strings.Join(parts, "&")
}

// QuietHours is a daily stretch of Shanghai time in which alerts wait; From
// and To are minutes after midnight. From == To means none. A stretch may
// run over midnight (22:00–08:00).
type QuietHours struct {
	From, To int
}

// Off reports whether there are no quiet hours.
func (q QuietHours) Off() bool { return q.From == q.To }

// String writes 22:00-08:00, or "" when off.
func (q QuietHours) String() string {
	if q.Off() {
		return ""
	}
	return clock(q.From) + "-" + clock(q.To)
}

func clock(m int) string {
	return string([]byte{byte('0' + m/600), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
}

// Until is when alerts due at t may go out: t itself outside the quiet
// hours, else the end of the quiet stretch t falls in.
func (q QuietHours) Until(t time.Time) time.Time {
	if q.Off() {
		return t
	}
	local := t.In(Shanghai)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, Shanghai)
	m := local.Hour()*60 + local.Minute()
	at := func(day, minute int) time.Time {
		return midnight.AddDate(0, 0, day).Add(time.Duration(minute) * time.Minute)
	}
	switch {
	case q.From < q.To && m >= q.From && m < q.To: // 01:00-06:00
		return at(0, q.To)
	case q.From > q.To && m >= q.From: // 22:00-08:00, before midnight
		return at(1, q.To)
	case q.From > q.To && m < q.To: // after midnight
		return at(0, q.To)
	}
	return t
}

// ParseQuietHours reads "22:00-08:00" (or "" for none).
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return QuietHours{}, nil
	}
	bad := NewError(EINVALID, "quietHours",
		"免打扰时段的格式是 开始-结束，例如 22:00-08:00（上海时间）；不需要就留空。",
		"Quiet hours are written start-end, e.g. 22:00-08:00 (Shanghai time); leave it empty for none.")
	from, to, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	if !ok {
		return QuietHours{}, bad
	}
	f, okF := parseClock(strings.TrimSpace(from))
	t, okT := parseClock(strings.TrimSpace(to))
	if !okF || !okT {
		return QuietHours{}, bad
	}
	return QuietHours{From: f, To: t}, nil
}

func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, false
	}
	hh, mm := 0, 0
	for _, r := range h {
		if r < '0' || r > '9' {
			return 0, false
		}
		hh = hh*10 + int(r-'0')
	}
	for _, r := range m {
		if r < '0' || r > '9' {
			return 0, false
		}
		mm = mm*10 + int(r-'0')
	}
	if hh > 23 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}
