package gateway

import (
	"context"
	"fmt"
	"time"

	"paygate/app"
	"paygate/app/forward"
)

// VmqPush handles the V免签 app's /appPush: stored first, then the sign
// md5(type+price+t+key) tells which device sent it. As with Ingest, the work
// goes on when the client hangs up.
func (g *Gateway) VmqPush(ctx context.Context, raw app.RawRequest) (app.IngestResult, error) {
	ctx = context.WithoutCancel(ctx)
	id, err := g.db.SaveRawNotification(ctx, raw)
	if err != nil {
		return app.IngestResult{}, err
	}
	return g.ingestVmqPush(ctx, id, raw, false)
}

func (g *Gateway) ingestVmqPush(ctx context.Context, id int64, raw app.RawRequest, noAutoConfirm bool) (app.IngestResult, error) {
	res := app.IngestResult{NotificationID: id}
	v, err := forward.DecodeVmq(raw)
	if err != nil {
		g.markNotification(ctx, id, app.OutcomeInvalid, err, 0)
		return res, err
	}
	deviceID, err := g.authenticateVmq(ctx, v, raw.ReceivedAt, v.VerifyPush)
	if err != nil {
		g.markNotification(ctx, id, app.OutcomeRefused, err, 0)
		return res, err
	}
	method, err := v.PushMethod()
	if err != nil {
		g.markNotification(ctx, id, app.OutcomeInvalid, err, deviceID)
		return res, err
	}
	amount, err := v.PushAmount()
	if err != nil {
		g.markNotification(ctx, id, app.OutcomeInvalid, err, deviceID)
		return res, err
	}
	// t also says when the phone saw the payment (matching bounds the orders
	// it can pay by it).
	sentAt, _ := forward.TimestampTime(v.T)
	return g.apply(ctx, id, app.Notice{
		DeviceID:      deviceID,
		Via:           "vmq",
		RemoteIP:      raw.RemoteIP,
		NoAutoConfirm: noAutoConfirm,
		SenderID:      v.T, // canonical (DecodeVmq): one text per number
		Title:         "V免签推送",
		Text:          method.Label("zh") + "收款 " + v.Price + " 元（type=" + v.Type + "）",
		Kind:          app.OutcomePayment,
		Method:        method,
		Amount:        amount,

		// The sign ties t to type and price only through an unseparated
		// string: like SmsForwarder's timestamp, each t is used once per
		// device, so no re-reading of a captured sign pays again.
		SignedTimestamp: true,
		SentAt:          sentAt,
	})
}

// VmqHeart handles /appHeart: it marks the device online. Heartbeats that
// pass are not stored as notifications (one every 30 s per phone would drown
// the real ones); refused ones are, so a pairing problem can be reviewed.
func (g *Gateway) VmqHeart(ctx context.Context, raw app.RawRequest) (app.Device, error) {
	deviceID, err := g.vmqHeartDevice(ctx, raw)
	if err != nil {
		if !app.ServerFault(err) {
			ctx := context.WithoutCancel(ctx)
			if id, saveErr := g.db.SaveRawNotification(ctx, raw); saveErr == nil {
				g.markNotification(ctx, id, heartOutcome(err), err, 0)
			}
		}
		return app.Device{}, err
	}
	if err := g.db.TouchDevice(ctx, deviceID, g.db.Now(), raw.RemoteIP, "vmq", true); err != nil {
		return app.Device{}, err
	}
	return g.db.Device(ctx, deviceID)
}

func (g *Gateway) vmqHeartDevice(ctx context.Context, raw app.RawRequest) (int64, error) {
	v, err := forward.DecodeVmq(raw)
	if err != nil {
		return 0, err
	}
	return g.authenticateVmq(ctx, v, raw.ReceivedAt, v.VerifyHeart)
}

func heartOutcome(err error) app.NotificationOutcome {
	if app.ErrorCode(err) == app.EINVALID {
		return app.OutcomeInvalid
	}
	return app.OutcomeRefused
}

// VmqState is what /getState reports, as the V免签 servers do.
type VmqState struct {
	LastHeart time.Time
	LastPay   time.Time
	State     string // "1" online, "0" offline, "-1" never seen
}

// VmqStatus answers /getState?t=&sign=md5(t+key) for the device the key belongs to.
func (g *Gateway) VmqStatus(ctx context.Context, raw app.RawRequest) (VmqState, error) {
	v, err := forward.DecodeVmq(raw)
	if err != nil {
		return VmqState{}, err
	}
	deviceID, err := g.authenticateVmq(ctx, v, raw.ReceivedAt, v.VerifyHeart)
	if err != nil {
		return VmqState{}, err
	}
	d, err := g.db.Device(ctx, deviceID)
	if err != nil {
		return VmqState{}, err
	}
	st := VmqState{LastHeart: d.LastHeartbeatAt, State: "-1"}
	if st.LastPay, err = g.db.LastPaymentAt(ctx, deviceID); err != nil {
		return st, err
	}
	switch {
	case d.LastSeenAt.IsZero():
	case g.db.Now().Sub(d.LastSeenAt) <= g.offlineAfter:
		st.State = "1"
	default:
		st.State = "0"
	}
	return st, nil
}

// authenticateVmq finds the device whose key made the sign, then checks the
// clock, in vmqphp's order (V1.8: 签名校验 first, then 客户端时间错误), so a
// caller without a key learns nothing of paygate's clock. The messages begin
// with vmqphp's own words, which the app shows.
func (g *Gateway) authenticateVmq(ctx context.Context, v forward.VmqRequest, at time.Time, verify func(key string) bool) (int64, error) {
	id, ok, err := g.identify(ctx, verify)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, app.NewError(app.EUNAUTHORIZED, "sign",
			"签名校验不通过：V免签监控端里的密钥与 paygate 不一致，请在管理后台“设备”页重新扫码配对。",
			"Signature check failed (签名校验不通过): the key in the V免签 app does not match paygate; pair again by scanning the QR code on the admin Devices page.")
	}
	if !forward.TimestampFresh(v.T, at, g.signWindow) {
		zh, en := windowText(g.signWindow)
		off, _ := forward.TimestampOffset(v.T, at)
		secs := int64((off.Abs() + time.Second/2) / time.Second)
		return 0, app.NewError(app.EUNAUTHORIZED, "t",
			fmt.Sprintf("客户端时间错误：手机时间与服务器相差 %d 秒（允许 ±%s），请把手机时间设为自动（网络时间）后再试。", secs, zh),
			fmt.Sprintf("Client clock is wrong (客户端时间错误): the phone's time is %d seconds from the server's (±%s allowed); set the phone's clock to automatic (network time) and try again.", secs, en))
	}
	return id, nil
}
