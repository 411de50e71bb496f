package replica

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"

	"paygate/app"
)

// Restored is what a restore from a replica put in place.
type Restored struct {
	TXID uint64    // the replica's position restored
	At   time.Time // when the replica received it
	// Newest is the newest position the replica holds: more than TXID when
	// an earlier time was asked for.
	Newest uint64
}

// Restore writes the database as the replica s held it at time at (zero:
// its newest) to outPath, which must not exist, and checks it.
func Restore(ctx context.Context, s app.ReplicaSettings, outPath string, at time.Time, logger *slog.Logger) (Restored, error) {
	var res Restored
	if !s.On() {
		return res, app.NewError(app.EINVALID, "replica.url",
			"没有写副本地址：例如 paygate restore --from-replica s3://my-bucket/paygate。",
			"No replica address given: e.g. paygate restore --from-replica s3://my-bucket/paygate.")
	}
	if logger == nil {
		logger = slog.Default()
	}
	client, err := newClient(s)
	if err != nil {
		return res, err
	}
	client.SetLogger(logger)
	if err := client.Init(ctx); err != nil {
		return res, unreachable(s, err)
	}
	newest, newestAt, err := remotePosition(ctx, client)
	if err != nil {
		return res, unreachable(s, err)
	}
	if newest == 0 {
		return res, app.NewError(app.ENOTFOUND, "replica.url",
			"副本 "+s.Display()+" 里还没有数据：请检查地址（存储桶和目录）是否和原来那台 paygate 的 replica.url 完全一样。",
			"The replica "+s.Display()+" holds nothing yet: check that the address (bucket and path) is exactly the old paygate's replica.url.")
	}
	res.Newest = uint64(newest)
	plan, err := litestream.CalcRestorePlan(ctx, client, 0, at, logger)
	if err != nil {
		if errors.Is(err, litestream.ErrTxNotAvailable) || errors.Is(err, litestream.ErrNoSnapshots) {
			created, _, _ := litestream.NewReplicaWithClient(nil, client).TimeBounds(ctx)
			return res, app.NewError(app.ENOTFOUND, "at",
				"副本里没有 "+app.FormatTime(at)+" 时的数据：能恢复的时间从 "+app.FormatTime(created)+" 到 "+app.FormatTime(newestAt)+"（上海时间）。",
				"The replica has nothing for "+app.FormatTime(at)+": it can restore from "+app.FormatTime(created)+" to "+app.FormatTime(newestAt)+" (Shanghai time).")
		}
		return res, unreachable(s, err)
	}
	last := plan[len(plan)-1]
	res.TXID, res.At = uint64(last.MaxTXID), last.CreatedAt
	r := litestream.NewReplicaWithClient(nil, client)
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = outPath
	opt.TXID = last.MaxTXID
	opt.IntegrityCheck = litestream.IntegrityCheckQuick
	if err := r.Restore(ctx, opt); err != nil {
		if strings.Contains(err.Error(), "integrity check") {
			return res, app.NewError(app.EINVALID, "replica.url",
				"从副本恢复出的数据库没有通过完整性检查（"+app.Clip(err.Error(), 200)+"）：请用 --at 选一个更早的时间再试。",
				"The database restored from the replica failed its integrity check ("+app.Clip(err.Error(), 200)+"): try an earlier time with --at.")
		}
		return res, unreachable(s, err)
	}
	return res, nil
}

// MarkRestored records, beside the database at dbPath, that it holds the
// replica s's position txid: starting on it then continues that replica.
func MarkRestored(dbPath string, s app.ReplicaSettings, txid uint64, now time.Time) error {
	if err := resetLocal(dbPath); err != nil {
		return err
	}
	return writeMarker(dbPath, marker{Replica: s.Identity(), RestoredTXID: txid, RestoredAt: now})
}

// MetaDir is Litestream's folder beside the database at dbPath
// (.paygate.db-litestream): it belongs to that database and moves with it.
func MetaDir(dbPath string) string { return metaDir(dbPath) }
