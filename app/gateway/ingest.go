package gateway

import (
	"context"

	"paygate/app"
	"paygate/app/forward"
	"paygate/app/parse"
	"paygate/app/sign"
	"paygate/app/store"
)

// Ingest handles one forwarder request to /webhook: it is stored first, then
// read, authenticated, parsed and matched. A refused or unreadable request
// stays stored for review; the error says what was wrong.
func (g *Gateway) Ingest(ctx context.Context, raw app.RawRequest) (app.IngestResult, error) {
	id, err := g.db.SaveRawNotification(ctx, raw)
	if err != nil {
		return app.IngestResult{}, err
	}
	res := app.IngestResult{NotificationID: id}
	msg, err := forward.DecodeWebhook(raw)
	if err != nil {
		g.markNotification(ctx, id, app.OutcomeInvalid, err)
		return res, err
	}
	if err := g.checkForwarderKey(ctx, msg.Key); err != nil {
		g.markNotification(ctx, id, app.OutcomeRefused, err)
		return res, err
	}
	return g.applyMessage(ctx, id, msg, 0)
}

func (g *Gateway) markNotification(ctx context.Context, id int64, outcome app.NotificationOutcome, cause error) {
	if err := g.db.SetNotificationOutcome(ctx, id, outcome, app.ErrorMessage(cause, "en")); err != nil {
		g.log.Error("recording notification outcome", "id", id, "err", err)
	}
}

// checkForwarderKey accepts the merchant API key.
func (g *Gateway) checkForwarderKey(ctx context.Context, key string) error {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return err
	}
	if s.APIKey == "" {
		return errNoAPIKeyYet()
	}
	if key == "" {
		return app.Errorf(app.EUNAUTHORIZED, "key",
			"缺少密钥：请在转发请求的请求头 key 中填写 API 密钥（或设备密钥）。",
			"Key missing: send the API key (or the device key) in the request header key.")
	}
	if !sign.Equal(key, s.APIKey) {
		return app.Errorf(app.EUNAUTHORIZED, "key",
			"密钥不正确：请核对转发应用里填写的密钥与管理后台一致。",
			"Wrong key: check that the key in the forwarder matches the one in the admin settings.")
	}
	return nil
}

// applyMessage parses a decoded message and records its outcome.
func (g *Gateway) applyMessage(ctx context.Context, id int64, msg forward.Message, deviceID int64) (app.IngestResult, error) {
	in := parse.Input{Package: msg.Package, Title: msg.Title, Text: msg.Text}
	if in.Package == "" && in.Title == "" {
		if split, ok := parse.SplitRendered(msg.Text); ok {
			in = split
		}
	}
	r := parse.Parse(in)
	n := app.Notice{
		DeviceID:     deviceID,
		SenderID:     msg.SenderID,
		Package:      in.Package,
		Title:        in.Title,
		Text:         in.Text,
		Kind:         string(r.Kind),
		Reason:       r.Reason,
		Method:       app.Method(r.Method),
		Amount:       r.Amount,
		CustomerType: r.CustomerType,
	}
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
	g.log.Info("notification", "id", id, "kind", res.Kind, "amount", res.Amount.String(), "method", res.Method,
		"payment", res.PaymentID, "order", res.OrderID, "confidence", res.Confidence, "reason", res.Reason)
	return res, nil
}
