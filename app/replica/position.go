package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/superfly/ltx"

	"paygate/app"
)

// Litestream counts positions in TXIDs: one per batch of committed
// transactions it ships (an LTX file), rising by one each time. The local
// position is the last batch Litestream cut from this database's WAL (kept in
// the metadata folder beside the database); the replica's is the last batch
// it holds. A replica ahead of the local database holds changes this one
// never made: another paygate wrote to it (a fail-over), or this data
// directory is an old copy. Litestream would then snapshot the older local
// database over it, so paygate refuses instead.

// metaDir is Litestream's folder beside the database: .paygate.db-litestream.
func metaDir(dbPath string) string {
	dir, name := filepath.Split(dbPath)
	return filepath.Join(dir, "."+name+litestream.MetaDirSuffix)
}

// marker records which replica the local metadata belongs to, and the
// position a restore from it put in place.
type marker struct {
	Replica      string    `json:"replica"` // app.ReplicaSettings.Identity
	RestoredTXID uint64    `json:"restoredTxid,omitempty"`
	RestoredAt   time.Time `json:"restoredAt,omitzero"`
}

const markerName = "paygate-replica.json"

func readMarker(dbPath string) (marker, error) {
	var m marker
	raw, err := os.ReadFile(filepath.Join(metaDir(dbPath), markerName))
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return marker{}, nil // unreadable: as if absent, the safe side
	}
	return m, nil
}

// writeMarker replaces the marker atomically.
func writeMarker(dbPath string, m marker) error {
	dir := metaDir(dbPath)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	raw, _ := json.Marshal(m)
	tmp := filepath.Join(dir, markerName+".tmp")
	if err := os.WriteFile(tmp, raw, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, markerName))
}

// localPosition is this database's position for the replica named identity;
// known is false when the local metadata belongs to another replica or none.
func localPosition(dbPath, identity string) (txid ltx.TXID, known bool, err error) {
	m, err := readMarker(dbPath)
	if err != nil {
		return 0, false, err
	}
	if m.Replica != identity {
		return 0, false, nil
	}
	entries, err := os.ReadDir(filepath.Join(metaDir(dbPath), "ltx", "0"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, false, err
	}
	txid = ltx.TXID(m.RestoredTXID)
	for _, e := range entries {
		if _, max, err := ltx.ParseFilename(e.Name()); err == nil && max > txid {
			txid = max
		}
	}
	return txid, true, nil
}

// resetLocal drops Litestream's local LTX files, so it starts the replica
// afresh with a snapshot of the database.
func resetLocal(dbPath string) error {
	return os.RemoveAll(filepath.Join(metaDir(dbPath), "ltx"))
}

// remotePosition is the newest position the replica holds and when it was
// written; zero for an empty replica.
func remotePosition(ctx context.Context, client litestream.ReplicaClient) (ltx.TXID, time.Time, error) {
	var (
		max ltx.TXID
		at  time.Time
	)
	for _, level := range []int{0, 1, 2, 3, litestream.SnapshotLevel} {
		itr, err := client.LTXFiles(ctx, level, 0, false)
		if err != nil {
			return 0, time.Time{}, err
		}
		for itr.Next() {
			if info := itr.Item(); info.MaxTXID > max {
				max, at = info.MaxTXID, info.CreatedAt
			}
		}
		if err := itr.Close(); err != nil {
			return 0, time.Time{}, err
		}
	}
	return max, at, nil
}

// ErrReplicaAhead: the replica holds changes this database does not have.
var ErrReplicaAhead = errors.New("the replica is ahead of the local database")

// checkTarget decides whether dbPath may replicate to the replica s through
// client: an empty replica, or one this database is level with or ahead of.
// reset says the local metadata must go first (it belongs to another
// replica, or the replica was emptied).
func checkTarget(ctx context.Context, client litestream.ReplicaClient, dbPath string, s app.ReplicaSettings) (reset bool, err error) {
	remote, remoteAt, err := remotePosition(ctx, client)
	if err != nil {
		return false, err
	}
	local, known, err := localPosition(dbPath, s.Identity())
	if err != nil {
		return false, err
	}
	switch {
	case remote == 0:
		return !known || local > 0, nil
	case !known || local < remote:
		return false, aheadError(s, local, remote, remoteAt)
	}
	// Level or ahead: the replica's newest batch must be this database's
	// batch of that number. After a fail-over the old machine may come back
	// with batches it never shipped, numbered like those the new one shipped
	// since; writing on would mix two histories in one replica.
	same, err := sameHistory(ctx, client, dbPath, remote)
	if err != nil {
		return false, err
	}
	if !same {
		return false, divergedError(s, remote, remoteAt)
	}
	return false, nil
}

// sameHistory: the local batch numbered remote, when still here, is the
// replica's batch of that number, byte for byte (the files' checksums; a
// batch carries its time to the millisecond, so two machines' batches
// never match by chance). Litestream writes no database checksum to
// compare instead.
func sameHistory(ctx context.Context, client litestream.ReplicaClient, dbPath string, remote ltx.TXID) (bool, error) {
	entries, err := os.ReadDir(filepath.Join(metaDir(dbPath), "ltx", "0"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	localFile := ""
	for _, e := range entries {
		if _, max, err := ltx.ParseFilename(e.Name()); err == nil && max == remote {
			localFile = filepath.Join(metaDir(dbPath), "ltx", "0", e.Name())
		}
	}
	if localFile == "" {
		return true, nil // restored from the replica at this position, or pruned: nothing to compare
	}
	raw, err := os.ReadFile(localFile)
	if err != nil {
		return false, err
	}
	var mine ltx.Trailer
	if len(raw) < ltx.TrailerSize || mine.UnmarshalBinary(raw[len(raw)-ltx.TrailerSize:]) != nil {
		return true, nil // a torn local file: Litestream rebuilds it
	}
	itr, err := client.LTXFiles(ctx, 0, 0, false)
	if err != nil {
		return false, err
	}
	var theirs *ltx.FileInfo
	for itr.Next() {
		if info := itr.Item(); info.MaxTXID == remote {
			theirs = info
		}
	}
	if err := itr.Close(); err != nil {
		return false, err
	}
	if theirs == nil || theirs.Size < ltx.TrailerSize {
		return true, nil
	}
	rc, err := client.OpenLTXFile(ctx, 0, theirs.MinTXID, theirs.MaxTXID, theirs.Size-ltx.TrailerSize, 0)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	buf := make([]byte, ltx.TrailerSize)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return false, err
	}
	var trailer ltx.Trailer
	if err := trailer.UnmarshalBinary(buf); err != nil {
		return false, err
	}
	return trailer.FileChecksum == mine.FileChecksum, nil
}

func aheadError(s app.ReplicaSettings, local, remote ltx.TXID, remoteAt time.Time) error {
	at := orQuestion(app.FormatTime(remoteAt))
	target := s.Display()
	return fmt.Errorf("%w (%w: local %s, replica %s)", app.NewError(app.ECONFLICT, "replica.url",
		"副本 "+target+" 里有本机数据库没有的更新（副本到第 "+num(remote)+" 批，本机到第 "+num(local)+" 批；副本最后写入于 "+at+"）："+
			"可能另一台 paygate 已经接管并在写它，或者这个数据目录是旧的拷贝。paygate 不会用本机较旧的数据覆盖它。"+
			"要接着用副本里的数据：运行 paygate restore --from-replica "+s.SafeURL()+"（会把本机数据库另存一份）；"+
			"确定要以本机数据库为准：把 replica.url 改成一个新的空目录（例如在路径后加 -2），旧副本留作备查。",
		"The replica "+target+" holds changes this database does not have (the replica is at batch "+num(remote)+", this database at "+num(local)+"; the replica was last written "+at+"): "+
			"another paygate may have taken over and be writing to it, or this data directory is an old copy. paygate will not overwrite it with the older local data. "+
			"To carry on from the replica: paygate restore --from-replica "+s.SafeURL()+" (the local database is kept aside); "+
			"to keep this database instead: point replica.url at a new, empty place (e.g. add -2 to the path) and keep the old replica for reference."),
		ErrReplicaAhead, num(local), num(remote))
}

func divergedError(s app.ReplicaSettings, remote ltx.TXID, remoteAt time.Time) error {
	at := orQuestion(app.FormatTime(remoteAt))
	return fmt.Errorf("%w (%w: batch %s differs)", app.NewError(app.ECONFLICT, "replica.url",
		"副本 "+s.Display()+" 的第 "+num(remote)+" 批和本机的第 "+num(remote)+" 批不一样（副本最后写入于 "+at+"）：本机停下以后，另一台 paygate 接着写了这个副本。两边的新记录不能混在一个副本里，所以 paygate 没有启动。"+
			"要接着用副本里的数据：运行 paygate restore --from-replica "+s.SafeURL()+"（本机数据库会另存一份，里面没同步出去的记录可以对照查看）；确定要以本机数据库为准：把 replica.url 改成一个新的空目录。",
		"Batch "+num(remote)+" in the replica "+s.Display()+" is not this database's batch "+num(remote)+" (the replica was last written "+at+"): after this paygate stopped, another one wrote to the replica. The two sets of new records cannot share one replica, so paygate did not start. "+
			"To carry on from the replica: paygate restore --from-replica "+s.SafeURL()+" (the local database is kept aside, with the records it never shipped, for you to compare); to keep this database instead: point replica.url at a new, empty place."),
		ErrReplicaAhead, num(remote))
}

func orQuestion(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

func num(t ltx.TXID) string { return strconv.FormatUint(uint64(t), 10) }
