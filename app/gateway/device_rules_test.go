package gateway

import (
	"strings"
	"testing"

	"paygate/app"
)

func TestDeviceChanges(t *testing.T) {
	s := newShop(t)
	d, err := s.g.CreateDevice(s.ctx, " 收银台手机 ", "店主")
	if err != nil || d.Name != "收银台手机" || len(d.Key) != 24 || strings.ContainsAny(d.Key, "/=") {
		t.Fatalf("create: %+v %v", d, err)
	}
	s.pay("收到转账1.00元(支付宝)") // makes the API-key phone
	apiPhone, err := s.g.db.APIKeyDevice(s.ctx, apiKeyDeviceName)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name        string
		do          func() error
		code, field string
		mention     string
	}{
		{"create without a name", func() error { _, err := s.g.CreateDevice(s.ctx, "  ", "店主"); return err }, app.EINVALID, "name", "40"},
		{"create with 41 characters", func() error { _, err := s.g.CreateDevice(s.ctx, strings.Repeat("机", 41), "店主"); return err }, app.EINVALID, "name", "40"},
		{"rename to nothing", func() error { _, err := s.g.RenameDevice(s.ctx, d.ID, "", "店主"); return err }, app.EINVALID, "name", "40"},
		{"rename an unknown device", func() error { _, err := s.g.RenameDevice(s.ctx, 999, "x", "店主"); return err }, app.ENOTFOUND, "deviceId", "999"},
		{"rotate the API-key phone", func() error { _, err := s.g.RotateDeviceKey(s.ctx, apiPhone.ID, "店主"); return err }, app.ECONFLICT, "deviceId", "API"},
		{"rotate an unknown device", func() error { _, err := s.g.RotateDeviceKey(s.ctx, 999, "店主"); return err }, app.ENOTFOUND, "deviceId", "999"},
		{"delete an unknown device", func() error { return s.g.DeleteDevice(s.ctx, 999, "店主") }, app.ENOTFOUND, "deviceId", "999"},
	} {
		t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.do(), tt.code, tt.field, tt.mention) })
	}
	renamed, err := s.g.RenameDevice(s.ctx, d.ID, "后厨手机", "店主")
	if err != nil || renamed.Name != "后厨手机" || renamed.Key != d.Key {
		t.Fatalf("rename: %+v %v", renamed, err)
	}
	rotated, err := s.g.RotateDeviceKey(s.ctx, d.ID, "店主")
	if err != nil || rotated.Key == d.Key || len(rotated.Key) != 24 {
		t.Fatalf("rotate: %+v %v", rotated, err)
	}
	if _, err := s.webhook(d.Key, map[string]string{"message": "收到转账2.00元(支付宝)"}); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("the old key after a rotation: %v", err)
	}
	if _, err := s.webhook(rotated.Key, map[string]string{"message": "收到转账2.00元(支付宝)"}); err != nil {
		t.Fatalf("the new key: %v", err)
	}
	if err := s.g.DeleteDevice(s.ctx, d.ID, "店主"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.webhook(rotated.Key, map[string]string{"message": "收到转账3.00元(支付宝)"}); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("a deleted phone's key: %v", err)
	}
	// Its stored requests stay; the audit log tells the story without a key.
	list, total, _ := s.g.Notifications(s.ctx, app.NotificationFilter{Limit: 10})
	if total != 4 || list[1].Outcome != app.OutcomePayment || list[1].Text != "收到转账2.00元(支付宝)" {
		t.Fatalf("stored requests after the phone was deleted: %d %+v", total, list)
	}
	audit, _, _ := s.g.AuditLog(s.ctx, app.Page{Number: 1, Limit: 10})
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action+" "+e.Detail)
		if strings.Contains(e.Detail, d.Key) || strings.Contains(e.Detail, rotated.Key) {
			t.Fatalf("the audit log shows a key: %+v", e)
		}
	}
	want := []string{"device.delete 后厨手机", "device.rotate_key 后厨手机", "device.rename 后厨手机", "device.create 收银台手机"}
	if strings.Join(actions, "|") != strings.Join(want, "|") {
		t.Fatalf("audit %v, want %v", actions, want)
	}
}
