package desktop

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
)

// Banner is what a person starting paygate needs to see first.
type Banner struct {
	Version    string
	URL        string // where the console is, e.g. http://localhost:3000
	Config     string // the config file in use, "" for none
	Data       string // the data directory
	SetupToken string // set while no admin exists
	Moved      string // set when the usual port was taken and another was used
	Log        string // the log file, "" when logging to the console only
	// StartAtBoot is the command that installs paygate as a service; "" when it runs as one.
	StartAtBoot string
	// LAN are the addresses phones on the same Wi-Fi open, e.g.
	// http://192.168.1.5:3000; LocalOnly: paygate listens on this computer
	// only; Public: the public address set, if any.
	LAN       []string
	LocalOnly bool
	Public    string
}

// Print writes a short bilingual banner.
func (b Banner) Print(w io.Writer) {
	fmt.Fprintf(w, "\n  paygate %s 已启动 / is running\n\n", b.Version)
	fmt.Fprintf(w, "  打开后台 Open:   %s/\n", b.URL)
	if b.Moved != "" {
		fmt.Fprintf(w, "  （端口 %s 被占用，改用了上面的端口 / port %s was taken, so paygate uses the one above）\n", b.Moved, b.Moved)
	}
	if b.Public != "" {
		fmt.Fprintf(w, "  公网 Public:     %s/\n", b.Public)
	}
	for i, a := range b.LAN {
		if i == 3 {
			break
		}
		fmt.Fprintf(w, "  手机 Phones:     %s/   （同一 Wi-Fi 下用这个地址 / on the same Wi-Fi）\n", a)
	}
	if b.LocalOnly {
		fmt.Fprintf(w, "  只有这台电脑能打开：手机要连接，请用 --addr :3000 启动。\n  Only this computer can open it: for phones, start with --addr :3000.\n")
	}
	if b.Config != "" {
		fmt.Fprintf(w, "  配置 Config:     %s\n", b.Config)
	}
	fmt.Fprintf(w, "  数据 Data:       %s\n", b.Data)
	if b.Log != "" {
		fmt.Fprintf(w, "  日志 Log:        %s\n", b.Log)
	}
	if b.StartAtBoot != "" {
		fmt.Fprintf(w, "  开机自启 Start at boot: %s\n", b.StartAtBoot)
	}
	if b.SetupToken != "" {
		fmt.Fprintf(w, "\n  首次使用：在浏览器里设置管理员密码。从其他电脑设置时，需要填写这个一次性令牌：\n")
		fmt.Fprintf(w, "  First run: set the admin password in the browser. From another computer, enter this one-time token:\n")
		fmt.Fprintf(w, "  setup_token=%s\n", b.SetupToken)
	}
	fmt.Fprintf(w, "\n  关闭这个窗口或按 Ctrl+C 停止 paygate。 Close this window or press Ctrl+C to stop paygate.\n\n")
}

// HoldWindow, on Windows with a console for input (a double-clicked
// paygate.exe), waits for Enter so the window does not close before the
// error above can be read. Elsewhere it returns at once.
func HoldWindow(w io.Writer) {
	if runtime.GOOS != "windows" || !stdinIsConsole() {
		return
	}
	fmt.Fprintln(w, "\n按回车键关闭窗口。 Press Enter to close this window.")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

func stdinIsConsole() bool {
	st, err := os.Stdin.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
