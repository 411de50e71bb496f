package gateway

import (
	"context"
	"strings"
	"testing"

	"paygate/app"
)

// Every change of settings or devices names who made it in the audit log,
// the merchant API ("api") as much as a person in the console; an API key
// changed through the API is named, never written down.
func TestChangesRecordWhoMadeThem(t *testing.T) {
	ctx := context.Background()
	g := startGateway(t, openSettingsDB(t, t.TempDir()), configDefaults, nil, false)
	key, name := "pk_a-new-secret-key-0001", "小店"
	dev, err := g.CreateDevice(ctx, "店里的手机", "api")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		do     func() error
		action string
		actor  string
	}{
		{"settings through the API", func() error { return g.UpdateSettings(ctx, ConfigRequest{APIKey: &key, Name: &name}, "api") }, app.AuditSettings, "api"},
		{"settings in the console", func() error { return g.UpdateSettings(ctx, ConfigRequest{Name: &name}, "boss") }, app.AuditSettings, "boss"},
		{"rules", func() error { return g.UpdateTuning(ctx, g.Tuning(), "boss") }, app.AuditTuning, "boss"},
		{"device renamed", func() error { _, err := g.RenameDevice(ctx, dev.ID, "旧手机", "boss"); return err }, app.AuditDeviceRename, "boss"},
		{"device key rotated", func() error { _, err := g.RotateDeviceKey(ctx, dev.ID, "api"); return err }, app.AuditDeviceRotateKey, "api"},
		{"device deleted", func() error { return g.DeleteDevice(ctx, dev.ID, "api") }, app.AuditDeviceDelete, "api"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		log, _, err := g.db.AuditLog(ctx, app.AuditFilter{Limit: 1})
		if err != nil || len(log) != 1 || log[0].Action != s.action || log[0].Actor != s.actor {
			t.Fatalf("%s: audit %+v %v, want %s by %s", s.name, log, err, s.action, s.actor)
		}
		if strings.Contains(log[0].Detail, key) {
			t.Fatalf("%s: the audit log holds the API key: %q", s.name, log[0].Detail)
		}
	}
	log, _, _ := g.db.AuditLog(ctx, app.AuditFilter{Subject: deviceSubject(dev.ID), Limit: 10})
	if len(log) != 4 || log[3].Action != app.AuditDeviceCreate || log[3].Actor != "api" {
		t.Fatalf("device's log: %+v", log)
	}
}
