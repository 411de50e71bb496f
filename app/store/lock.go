package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"paygate/app"
)

// LockFile is the file in the data directory whose OS lock claims it.
const LockFile = "paygate.pid"

// Lock claims dir for one paygate process: the store assumes it is the only
// writer (its callback queue resumes claims at start), and restore must not
// swap the database under a running server. The claim is an OS lock on
// dir/paygate.pid (flock, LockFileEx), which ends with the process however it
// ends: a file left behind by a crash or a reboot never blocks a start,
// whatever number it holds. The number in the file is the holder's process
// id, for the message a second paygate shows.
func Lock(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, dirProblem(dir, err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, dirProblem(dir, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLockHeld) {
			return nil, inUse(dir, path)
		}
		return nil, dirProblem(dir, err)
	}
	if err := writePID(f); err != nil {
		unlockFile(f)
		f.Close()
		return nil, dirProblem(dir, err)
	}
	// The file stays (removing it would let a starting paygate lock the
	// removed file while another locks a new one); only the number goes.
	return func() {
		_ = f.Truncate(0)
		unlockFile(f)
		f.Close()
	}, nil
}

var errLockHeld = errors.New("lock held by another process")

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())), 0); err != nil {
		return err
	}
	return f.Sync()
}

// inUse names the paygate that holds the lock, when its file says.
func inUse(dir, path string) error {
	holder, holderZh := "another paygate", "另一个 paygate"
	raw, _ := os.ReadFile(path)
	if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && pid > 0 {
		holder, holderZh = fmt.Sprintf("another paygate (pid %d)", pid), fmt.Sprintf("另一个 paygate（进程 %d）", pid)
	}
	return &dataError{kind: ErrInUse, msg: app.NewError(app.ECONFLICT, "",
		holderZh+"正在使用数据目录 "+dir+"：请先停止它，或用 --data-dir 给这个 paygate 另一个数据目录。",
		holder+" already uses this data directory, "+dir+": stop it first, or give this one its own data directory with --data-dir.")}
}
