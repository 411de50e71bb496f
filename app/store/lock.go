package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Lock claims dir for one paygate process: the store assumes it is the
// only writer (its callback queue resumes claims at start), and restore must
// not swap the database under a running server. The claim is a file holding
// the process id; one left behind by a killed process is taken over.
func Lock(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "paygate.pid")
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
		if err == nil {
			_, werr := f.WriteString(strconv.Itoa(os.Getpid()))
			cerr := f.Close()
			if err := errors.Join(werr, cerr); err != nil {
				os.Remove(path)
				return nil, err
			}
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		raw, _ := os.ReadFile(path)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
		if pid > 0 && pid != os.Getpid() && processAlive(pid) {
			return nil, fmt.Errorf("another paygate (process %d) is using %s: stop it first, or give this one its own data directory (if no paygate runs, delete %s)", pid, dir, path)
		}
		os.Remove(path) // left behind by a process that is gone
	}
	return nil, fmt.Errorf("could not claim %s", dir)
}
