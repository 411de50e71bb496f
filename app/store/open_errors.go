package store

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"

	"paygate/app"
)

// Why paygate cannot use its data directory; errors.Is tells them apart.
var (
	ErrInUse       = errors.New("the data directory is in use by another paygate")
	ErrUnwritable  = errors.New("the data directory is not writable")
	ErrDiskFull    = errors.New("the disk is full")
	ErrCorrupt     = errors.New("the database is damaged")
	ErrNewerSchema = errors.New("the database comes from a newer paygate")
)

// dataError says in Chinese and English what is wrong with the data
// directory and what to do (errors.As finds the *app.Error), with its kind
// and the OS or SQLite error beneath, which only the log shows.
type dataError struct {
	msg   *app.Error
	kind  error
	cause error
}

func (e *dataError) Error() string {
	if e.cause == nil {
		return e.msg.En
	}
	return e.msg.En + " (" + e.cause.Error() + ")"
}

func (e *dataError) Unwrap() []error { return []error{e.msg, e.kind, e.cause} }

// dirProblem explains an OS error met creating or writing files in dir;
// other errors come back as they are.
func dirProblem(dir string, err error) error {
	switch {
	case isDiskFull(err):
		return diskFull(dir, err)
	case isReadOnlyFS(err):
		return &dataError{kind: ErrUnwritable, cause: err, msg: app.NewError(app.EUNAVAILABLE, "",
			"paygate 不能写入数据目录 "+dir+"：它所在的磁盘是只读的。请把磁盘重新挂载为可写，或用 --data-dir 指定一个可写的目录。",
			"paygate cannot write to its data directory "+dir+": the disk it is on is read-only. Remount it writable, or point --data-dir to a writable directory.")}
	case errors.Is(err, os.ErrPermission):
		return noPermission(dir, err)
	}
	return err
}

func noPermission(dir string, err error) error {
	return &dataError{kind: ErrUnwritable, cause: err, msg: app.NewError(app.EUNAVAILABLE, "",
		"paygate 不能写入数据目录 "+dir+"：没有写权限。请让运行 paygate 的用户能写这个目录和其中的文件（例如 chown 或 chmod u+w），或用 --data-dir 指定另一个目录。",
		"paygate cannot write to its data directory "+dir+": permission denied. Let the user running paygate write to it and its files (e.g. chown, or chmod u+w), or point --data-dir to another directory.")}
}

func diskFull(dir string, err error) error {
	backups := filepath.Join(dir, "backups")
	return &dataError{kind: ErrDiskFull, cause: err, msg: app.NewError(app.EUNAVAILABLE, "",
		"磁盘已满：paygate 无法在数据目录 "+dir+" 里写入。请腾出空间（例如把 "+backups+" 里的旧备份移到别的磁盘）后再启动。",
		"The disk is full: paygate cannot write in its data directory "+dir+". Free some space (e.g. move old backups out of "+backups+" to another disk) and start again.")}
}

// writeProblem turns a write that failed because the disk is full (SQLite's
// SQLITE_FULL, or ENOSPC from the OS) into an error every endpoint answers
// with 503 and a message saying so; other errors come back as they are.
// Nothing of the failed write is kept, and once there is room again the
// next write works: paygate recovers by itself.
func writeProblem(err error) error {
	if err == nil || app.ErrorCode(err) == app.EDISKFULL || !diskFullError(err) {
		return err
	}
	msg := &app.Error{Code: app.EDISKFULL, RetryAfter: diskFullRetryAfter,
		Zh: "服务器磁盘已满：paygate 暂时无法保存数据，这次请求没有被处理，请稍后重试。服务器管理员请腾出磁盘空间（例如把数据目录里 backups 下的旧备份移到别的磁盘）；有了空间后 paygate 会自己恢复，不需要重启。",
		En: "The server's disk is full: paygate cannot save anything right now, so this request was not processed; try again later. Whoever runs the server: free some disk space (e.g. move old backups out of the data directory's backups folder to another disk); paygate recovers by itself once there is room, no restart needed."}
	return &dataError{kind: ErrDiskFull, cause: err, msg: msg}
}

// diskFullRetryAfter is the Retry-After a client gets with a full disk's 503.
const diskFullRetryAfter = 30 * time.Second

// diskFullError reports whether err says the disk is full.
func diskFullError(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqliteFull {
		return true
	}
	return isDiskFull(err)
}

// SQLite result codes (the primary code, the low byte of an extended one).
const (
	sqlitePerm     = 3
	sqliteReadOnly = 8
	sqliteCorrupt  = 11
	sqliteFull     = 13
	sqliteNotADB   = 26
)

// dbProblem explains a SQLite error met opening or migrating the database at
// path in dir; other errors come back as they are.
func dbProblem(dir, path string, err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return dirProblem(dir, err)
	}
	switch se.Code() & 0xff {
	case sqliteCorrupt, sqliteNotADB:
		return &dataError{kind: ErrCorrupt, cause: err, msg: app.NewError(app.EUNAVAILABLE, "",
			"数据库文件 "+path+" 已损坏（不是有效的 SQLite 数据库，或被截断了）：paygate 不能用它启动。请用备份恢复：paygate restore 备份文件（备份在 "+filepath.Join(dir, "backups")+" 里；现在的文件会被另存，不会丢）。",
			"The database file "+path+" is damaged (not a valid SQLite database, or cut short): paygate cannot start on it. Restore a backup with paygate restore BACKUP-FILE (backups are in "+filepath.Join(dir, "backups")+"; the current file is kept aside, not lost).")}
	case sqliteFull:
		return diskFull(dir, err)
	case sqliteReadOnly, sqlitePerm:
		return noPermission(dir, err)
	}
	return err
}

func newerSchema(path string, unknown []int) error {
	versions := make([]string, len(unknown))
	for i, v := range unknown {
		versions[i] = strconv.Itoa(v)
	}
	list := strings.Join(versions, ", ")
	return &dataError{kind: ErrNewerSchema, msg: app.NewError(app.EUNAVAILABLE, "",
		"数据库 "+path+" 来自更新版本的 paygate（有本程序不认识的结构版本 "+list+"）：请用那个更新版本的 paygate 启动。旧版本不会打开它，以免弄坏数据。",
		"The database "+path+" comes from a newer paygate (schema version "+list+", which this one does not know): start that newer paygate on it. An older one does not open it, so as not to damage the data.")}
}
