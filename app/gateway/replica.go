package gateway

import (
	"context"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/console"
)

// Replication is the off-machine copy of the database (Litestream), as the
// console sees and sets it up; app/replica implements it.
type Replication interface {
	// State is how it is doing now, without I/O.
	State() console.ReplicaState
	// Settings are those this run replicates with.
	Settings() app.ReplicaSettings
	// Check tells whether s could be replicated to: it answers, and holds
	// no changes this database lacks. It changes nothing.
	Check(ctx context.Context, s app.ReplicaSettings) error
}

// maxReplicaSetting bounds each typed replica setting (a host key is a few hundred bytes).
const maxReplicaSetting = 4000

// replicaCheckTimeout bounds the test of a new replica when it is saved.
const replicaCheckTimeout = 20 * time.Second

// ReplicaState is how the replication is doing (off when not set up), for
// the console and the detailed health check.
func (g *Gateway) ReplicaState() console.ReplicaState {
	if g.replication == nil {
		return console.ReplicaState{}
	}
	return g.replication.State()
}

// ReplicaSection is the settings page's replication section.
func (g *Gateway) ReplicaSection(ctx context.Context) (console.ReplicaSection, error) {
	saved, err := g.savedReplica(ctx)
	if err != nil {
		return console.ReplicaSection{}, err
	}
	inForce := app.MergeReplica(saved, g.replicaConfig, g.pinned)
	sec := console.ReplicaSection{State: g.ReplicaState(), Settings: inForce, Sources: map[string]app.Source{}}
	for _, k := range app.ReplicaKeys {
		switch {
		case g.pinned[k].Pinned():
			sec.Sources[k] = g.pinned[k]
		case saved.Get(k) != "":
			sec.Sources[k] = app.Source{Kind: app.SourceConsole}
		}
	}
	sec.SecretSaved = inForce.SecretAccessKey != ""
	sec.Settings.SecretAccessKey = ""
	running := app.ReplicaSettings{}
	if g.replication != nil {
		running = g.replication.Settings()
	}
	sec.Restart = running != inForce
	return sec, nil
}

func (g *Gateway) savedReplica(ctx context.Context) (app.ReplicaSettings, error) {
	values, err := g.db.SettingValues(ctx, "replica.")
	if err != nil {
		return app.ReplicaSettings{}, err
	}
	return app.ReplicaFromValues(values), nil
}

// SaveReplica checks and saves the replica settings typed in the console;
// they apply when paygate starts next (Litestream cannot be stopped or
// switched while paygate has the database open). An empty URL turns
// replication off. Settings pinned by config.yaml or the environment stay.
// by is who asked, recorded in the audit log (never the secret).
func (g *Gateway) SaveReplica(ctx context.Context, f console.ReplicaForm, by string) (console.ReplicaSection, error) {
	if src := g.pinned["replica.url"]; src.Pinned() {
		return console.ReplicaSection{}, app.NewError(app.ECONFLICT, "replica.url",
			"副本地址"+src.Describe("zh")+"，不能在这里修改：请改那里，然后重启 paygate。",
			"The replica address is "+src.Describe("en")+" and cannot be changed here: change it there and restart paygate.")
	}
	saved, err := g.savedReplica(ctx)
	if err != nil {
		return console.ReplicaSection{}, err
	}
	typed := map[string]string{"replica.url": f.URL, "replica.endpoint": f.Endpoint, "replica.region": f.Region,
		"replica.access_key_id": f.AccessKeyID, "replica.secret_access_key": f.SecretAccessKey, "replica.host_key": f.HostKey, "replica.key_file": f.KeyFile}
	for key, v := range typed {
		if len(v) > maxReplicaSetting {
			return console.ReplicaSection{}, app.NewError(app.EINVALID, key,
				key+" 太长（超过 4000 个字符）：请检查粘贴的内容。", key+" is too long (over 4,000 characters): check what was pasted.")
		}
	}
	next := app.ReplicaSettings{} // an empty address turns replication off and forgets the rest
	if strings.TrimSpace(f.URL) != "" {
		next = saved
		for key, v := range typed {
			if key != "replica.secret_access_key" {
				next.Set(key, v)
			}
		}
		if f.SecretAccessKey != "" { // empty keeps the saved secret, which the form never shows
			next.Set("replica.secret_access_key", f.SecretAccessKey)
		}
	}
	inForce := app.MergeReplica(next, g.replicaConfig, g.pinned)
	if err := inForce.Validate(); err != nil {
		return console.ReplicaSection{}, err
	}
	if inForce.On() && g.replication != nil {
		checkCtx, cancel := context.WithTimeout(ctx, replicaCheckTimeout)
		err := g.replication.Check(checkCtx, inForce)
		cancel()
		if err != nil {
			return console.ReplicaSection{}, err
		}
	}
	if err := g.db.PutSettings(ctx, next.Values()); err != nil {
		return console.ReplicaSection{}, err
	}
	detail := "off"
	if inForce.On() {
		detail = inForce.Display()
	}
	if err := g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditReplica, Detail: detail}); err != nil {
		return console.ReplicaSection{}, err
	}
	return g.ReplicaSection(ctx)
}

// replicaAlertText is the replication incident's text, Chinese then
// English: how far behind and why, and that the records since are on this
// machine only.
func replicaAlertText(st console.ReplicaState) string {
	why, whyEn := "", ""
	if st.Error != "" {
		why, whyEn = "原因："+app.Clip(st.Error, 300)+"。", " Why: "+app.Clip(st.Error, 300)+"."
	}
	switch {
	case st.Refused:
		return "数据库副本 " + st.Target + " 没有在同步：副本里有本机没有的更新（另一台 paygate 接管过，或这是旧的数据目录），paygate 拒绝覆盖它。" +
			"请确认哪台机器在收款；这台是旧机器就不要再用它，否则改用新的副本地址并重启。" + why + "\n" +
			"The database replica " + st.Target + " is not being written: it holds changes this database lacks (another paygate took over, or this data directory is an old copy), and paygate will not overwrite them. " +
			"Make sure which machine takes payments; if this one is the old one, stop using it, otherwise give a new replica address and restart." + whyEn
	case !st.Running:
		return "数据库副本 " + st.Target + " 没有在同步（连不上或被拒绝）：付款记录目前只在这台机器上，磁盘坏了或服务器丢了就找不回来。" +
			"请检查副本地址、密钥和网络；paygate 会自动重试。" + why + "\n" +
			"The database replica " + st.Target + " is not being written (unreachable or refused): payment records are on this machine only and would be lost with its disk. " +
			"Check the replica address, keys and network; paygate keeps retrying." + whyEn
	}
	last, lastEn := "从未同步", "never"
	if !st.LastSyncAt.IsZero() {
		last, lastEn = "上次同步 "+app.FormatTime(st.LastSyncAt), app.FormatTime(st.LastSyncAt)
	}
	lag := st.Lag.Round(time.Second).String()
	return "数据库副本 " + st.Target + " 已落后 " + lag + "（" + last + "）：这段时间的付款记录只在这台机器上。请检查网络和存储桶；赶上后会再通知你。" + why + "\n" +
		"The database replica " + st.Target + " is " + lag + " behind (last sync " + lastEn + "): payment records since then are on this machine only. " +
		"Check the network and the bucket; you will hear when it has caught up." + whyEn
}
