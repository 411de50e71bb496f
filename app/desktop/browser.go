// Package desktop holds what a double-clicked binary needs: opening the
// browser, a free port when the usual one is taken, a friendly banner, and a
// console window that stays open after a fatal error on Windows.
package desktop

import (
	"os/exec"
	"runtime"
)

// OpenBrowser opens url in the default browser. It does not wait for it.
func OpenBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case "darwin":
		cmd = exec.Command("open", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }() // reap it
	return nil
}
