//go:build windows

package diskspace

import "golang.org/x/sys/windows"

func free(dir string) (uint64, bool) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, false
	}
	var avail, total, all uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &all); err != nil {
		return 0, false
	}
	return avail, true
}
