package gateway

import (
	"context"
	"strconv"
	"time"

	"paygate/app"
	"paygate/app/forward"
	"paygate/app/parse"
	"paygate/app/sign"
	"paygate/app/store"
)

// Ingest handles one forwarder request to /webhook (the guide's JSON, and
// SmsForwarder's form, JSON and GET formats): it is stored first, then read,
// authenticated, parsed and matched. A refused or unreadable request stays
// stored for review; the error says what was wrong. The work does not end
// when the client hangs up: a stored notification is always applied.
func (g *Gateway) Ingest(ctx context.Context, raw app.RawRequest) (app.IngestResult, error) {
	ctx = context.WithoutCancel(ctx)
	id, err := g.db.SaveRawNotification(ctx, raw)
	if err != nil {
		return app.IngestResult{}, err
	}
	return g.ingestWebhook(ctx, id, raw, false)
}

func (g *Gateway) ingestWebhook(ctx context.Context, id int64, raw app.RawRequest, noAutoConfirm bool) (app.IngestResult, error) {
	res := app.IngestResult{NotificationID: id}
	msg, err := forward.DecodeWebhook(raw)
	if err != nil {
		g.markNotification(ctx, id, app.OutcomeInvalid, err, g.keyHolder(ctx, msg.Key))
		return res, err
	}
	deviceID, signed, err := g.authenticateWebhook(ctx, msg, raw.ReceivedAt)
	if err != nil {
		g.markNotification(ctx, id, app.OutcomeRefused, err, 0)
		return res, err
	}
	var sentAt time.Time
	if signed {
		// The sign vouches for the timestamp only: it, not a sent id, names the notification.
		msg.SenderID = msg.Timestamp
		// It also says when the phone saw the payment (matching bounds the
		// orders it can pay by it).
		sentAt, _ = forward.TimestampTime(msg.Timestamp)
	}
	in := parse.Input{Package: msg.Package, Title: msg.Title, Text: msg.Text}
	if in.Title == "" {
		// SmsForwarder's default form sends its template rendered into one text.
		if split, ok := parse.SplitRendered(msg.Text); ok {
			in.Title, in.Text = split.Title, split.Text
			if in.Package == "" {
				in.Package = split.Package
			}
		}
	}
	r := parse.Parse(in)
	return g.apply(ctx, id, app.Notice{
		DeviceID:      deviceID,
		Via:           msg.Via,
		RemoteIP:      raw.RemoteIP,
		NoAutoConfirm: noAutoConfirm,
		SenderID:      msg.SenderID,
		Package:       in.Package,
		Title:         in.Title,
		Text:          in.Text,
		Kind:          app.NotificationOutcome(r.Kind),
		Reason:        r.Reason,
		Method:        app.Method(r.Method),
		Amount:        r.Amount,
		CustomerType:  r.CustomerType,

		SignedTimestamp: signed,
		SentAt:          sentAt,
	})
}

// authenticateWebhook accepts a device key or the API key in the key header
// (or field), or a valid SmsForwarder signature made with one of them, and
// says which device sent it and whether by signature.
func (g *Gateway) authenticateWebhook(ctx context.Context, msg forward.Message, at time.Time) (deviceID int64, signed bool, err error) {
	switch {
	case msg.Key != "":
		id, ok, err := g.identify(ctx, func(secret string) bool { return sign.Equal(secret, msg.Key) })
		if err != nil || ok {
			return id, false, err
		}
		zh, en := g.phoneKeyWords()
		return 0, false, app.NewError(app.EUNAUTHORIZED, "key",
			"密钥不正确：请核对转发应用里填写的密钥，它应是"+zh+"。",
			"Wrong key: the key in the forwarder must be "+en+".")
	case msg.Sign != "" && msg.Timestamp != "":
		if !forward.TimestampFresh(msg.Timestamp, at, g.signWindow) {
			zh, en := windowText(g.signWindow)
			return 0, false, app.NewError(app.EUNAUTHORIZED, "timestamp",
				"签名时间戳 timestamp 与服务器时间相差超过 "+zh+"：请把手机时间设为自动（网络时间）后再发送；也请检查转发模板中的 [timestamp]。",
				"The timestamp is more than "+en+" from the server's time: set the phone's clock to automatic (network time) and send again; also check [timestamp] in the forwarder template.")
		}
		id, ok, err := g.identify(ctx, func(secret string) bool { return forward.VerifySmsForwarder(secret, msg.Timestamp, msg.Sign) })
		if err != nil || ok {
			return id, ok, err
		}
		zh, en := g.phoneKeyWords()
		return 0, false, app.NewError(app.EUNAUTHORIZED, "sign",
			"SmsForwarder 签名 sign 不正确：请把 SmsForwarder 发送通道里的“secret”设为"+zh+"。",
			"Wrong SmsForwarder sign: set the channel's secret in SmsForwarder to "+en+".")
	}
	has, err := g.HasAPIKey(ctx)
	if err != nil {
		return 0, false, err
	}
	if !has {
		devices, err := g.db.DeviceKeys(ctx)
		if err != nil {
			return 0, false, err
		}
		if len(devices) == 0 {
			return 0, false, errNoAPIKeyYet()
		}
	}
	zh, en := g.phoneKeyWords()
	return 0, false, app.NewError(app.EUNAUTHORIZED, "key",
		"缺少密钥：请在请求头 key 中填写"+zh+"；SmsForwarder 也可在发送通道里设置 secret（签名）。",
		"Key missing: send "+en+" in the header key; in SmsForwarder you may set the channel's secret (signature) instead.")
}

// phoneKeyWords names the keys a phone may use, so a refusal never points
// at the merchant API key once it no longer works for phones.
func (g *Gateway) phoneKeyWords() (zh, en string) {
	if g.APIKeyForwarding().On {
		return "管理后台“设备”页里该设备的密钥或商户 API 密钥",
			"the device's key from the admin Devices page, or the merchant API key"
	}
	return "管理后台“设备”页里该设备的密钥（商户 API 密钥已设为不能用于手机）",
		"the device's key from the admin Devices page (the merchant API key is switched off for phones)"
}

// windowText says a window of time in Chinese and English ("15 分钟", "15 minutes").
func windowText(d time.Duration) (zh, en string) {
	unit := func(n int64, zh, en string) (string, string) {
		s := strconv.FormatInt(n, 10)
		if n != 1 {
			en += "s"
		}
		return s + " " + zh, s + " " + en
	}
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "小时", "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return unit(int64(d/time.Minute), "分钟", "minute")
	}
	return unit(int64(d.Round(time.Second)/time.Second), "秒", "second")
}

// apply records a parsed notice and wakes the callback queue when it paid an order.
func (g *Gateway) apply(ctx context.Context, id int64, n app.Notice) (app.IngestResult, error) {
	res, err := g.db.ApplyNotice(ctx, id, n, store.ApplyOptions{
		Policy:             g.Tuning().Match,
		NewPaymentID:       newPaymentID,
		FirstCallbackDelay: g.notifier.FirstDelay(),
	})
	if err != nil {
		return res, err
	}
	if res.Matched {
		g.notifier.Wake()
	}
	g.log.Info("notification", "id", id, "via", n.Via, "device", n.DeviceID, "kind", res.Kind, "amount", res.Amount.String(),
		"method", res.Method, "payment", res.PaymentID, "order", res.OrderID, "confidence", res.Confidence, "reason", res.Reason)
	return res, nil
}

// markNotification records why a stored request was not applied. An
// internal error (the database failing) is not the request's fault: the row
// stays received and is applied again later (ApplyPending). deviceID is the
// known phone that sent it, or 0: then the stored request is a stranger's,
// and only a little of it is kept (strangerLimits).
func (g *Gateway) markNotification(ctx context.Context, id int64, outcome app.NotificationOutcome, cause error, deviceID int64) {
	if app.ServerFault(cause) {
		return
	}
	if err := g.db.RefuseNotification(ctx, id, outcome, app.ErrorMessage(cause, "en"), app.ErrorMessage(cause, "zh"), deviceID, strangerLimits); err != nil {
		g.log.Error("recording notification outcome", "id", id, "err", err)
	}
}

// keyHolder is the known phone the key belongs to (the API key counts while
// it is accepted as a phone's key), or 0.
func (g *Gateway) keyHolder(ctx context.Context, key string) int64 {
	if key == "" {
		return 0
	}
	id, ok, err := g.identify(ctx, func(secret string) bool { return sign.Equal(secret, key) })
	if err != nil || !ok {
		return 0
	}
	return id
}
