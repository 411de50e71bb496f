package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"paygate/app/config"
	"paygate/app/service"
)

// service is `paygate service install|uninstall|start|stop|restart|status|print|run`:
// paygate as a system service that starts at boot and restarts after a crash.
func (p Program) service(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || isHelp(args[0]) {
		serviceUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	action, rest := args[0], args[1:]
	switch action {
	case "install", "uninstall", "start", "stop", "restart", "status", "print", "run":
	default:
		fmt.Fprintf(stderr, "paygate service: unknown action %q\n", action)
		serviceUsage(stdout)
		return 2
	}
	cfg, code := p.readConfig(rest, stdout, stderr)
	if cfg == nil {
		return code
	}
	if action == "run" {
		return p.serviceRun(cfg, stdout, stderr)
	}
	exe, err := programPath()
	if err != nil && (action == "install" || action == "print") {
		fmt.Fprintln(stderr, "paygate service:", err)
		return 1
	}
	spec := service.NewSpec(exe, cfg.File, cfg.Data.Dir)
	if action == "print" {
		return printService(stdout, spec)
	}
	ctl, err := service.New(spec, nil)
	if err != nil {
		fmt.Fprintln(stderr, "paygate service:", err)
		return 1
	}
	switch action {
	case "install":
		err = installService(ctl, cfg, stdout)
	case "uninstall":
		if err = ctl.Uninstall(); err == nil {
			fmt.Fprintf(stdout, "paygate 服务已停止并移除 / the paygate service is stopped and removed (%s)\n", ctl.Platform())
		}
	case "start":
		err = ctl.Start()
	case "stop":
		err = ctl.Stop()
	case "restart":
		err = ctl.Restart()
	}
	if err != nil {
		fmt.Fprintf(stderr, "paygate service %s: %v\n%s", action, err, privilegeHint(spec))
		return 1
	}
	return showStatus(stdout, ctl, cfg)
}

// serviceRun is what the service manager starts: the server, logging to
// its file, until the manager stops it.
func (p Program) serviceRun(cfg *config.Config, stdout, stderr io.Writer) int {
	log, err := openLog(cfg, true, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "paygate:", err)
		return 1
	}
	defer log.Close()
	ctl, err := service.New(service.NewSpec("", cfg.File, cfg.Data.Dir), func(ctx context.Context) error {
		return p.runServer(ctx, cfg, log.Logger, stdout, true)
	})
	if err == nil {
		err = ctl.Run()
	}
	if err == nil {
		err = ctl.Err()
	}
	if err != nil {
		log.Error("paygate stopped", "err", err)
		explain(stderr, cfg.Data.Dir, err)
		return 1
	}
	return 0
}

// installService installs, enables and starts the service.
func installService(ctl *service.Controller, cfg *config.Config, stdout io.Writer) error {
	spec := ctl.Spec
	if spec.PerUser && len(cfg.Server.Domains) > 0 && runtime.GOOS == "linux" {
		return errors.New("自动 HTTPS（server.domain）要监听 80 和 443 端口，只有系统服务能做到：请用 sudo 运行 paygate service install（服务仍以你的用户运行）。\n" +
			"  Automatic HTTPS (server.domain) listens on ports 80 and 443, which only a system service may: run sudo paygate service install (the service still runs as you)")
	}
	if st, err := ctl.Status(); err == nil && st != "not installed" {
		return fmt.Errorf("已经安装过（%s）：要按新的设置重装，先 paygate service uninstall。\n  Already installed (%s): to reinstall with new settings, run paygate service uninstall first", st, st)
	}
	if err := ctl.Install(); err != nil {
		return err
	}
	if cfg.Created {
		giveToSudoUser(cfg.File) // written by root under sudo: the owner must be able to edit it
	}
	if spec.PerUser && runtime.GOOS == "linux" {
		// A user's services start with their first login unless lingering is on.
		if out, err := exec.Command("loginctl", "enable-linger", currentUser()).CombinedOutput(); err != nil {
			fmt.Fprintf(stdout, "注意：没能开启 linger（%v %s），paygate 会在你登录后启动，而不是开机时：执行 sudo loginctl enable-linger %s，或改用 sudo paygate service install。\n"+
				"Note: could not turn on lingering, so paygate starts at your login, not at boot: run sudo loginctl enable-linger %s, or use sudo paygate service install.\n",
				err, strings.TrimSpace(string(out)), currentUser(), currentUser())
		}
	}
	if err := ctl.Start(); err != nil {
		return fmt.Errorf("installed, but starting failed: %w", err)
	}
	fmt.Fprintf(stdout, "\n  paygate 已安装为服务，开机自动启动，崩溃后自动重启。\n  paygate is installed as a service: it starts at boot and restarts after a crash.\n\n")
	return nil
}

// showStatus prints the service's state and where things are.
func showStatus(w io.Writer, ctl *service.Controller, cfg *config.Config) int {
	st, err := ctl.Status()
	if err != nil {
		st += " (" + err.Error() + ")"
	}
	spec := ctl.Spec
	fmt.Fprintf(w, "  状态 Status:  %s (%s)\n", st, ctl.Platform())
	if f := spec.File(); f != "" {
		fmt.Fprintf(w, "  服务文件 File: %s\n", f)
	}
	who := spec.UserName
	switch {
	case spec.PerUser:
		who = currentUser() + " (per-user service / 用户服务)"
	case who == "" && runtime.GOOS == "windows":
		who = "LocalSystem"
	case who == "":
		who = "root"
	}
	fmt.Fprintf(w, "  运行身份 User: %s\n", who)
	if cfg.File != "" {
		fmt.Fprintf(w, "  配置 Config:  %s\n", cfg.File)
	}
	fmt.Fprintf(w, "  数据 Data:    %s\n", cfg.Data.Dir)
	if f := cfg.LogFile(true); f != "" {
		fmt.Fprintf(w, "  日志 Log:     %s\n", f)
	}
	switch {
	case runtime.GOOS == "linux" && spec.PerUser:
		fmt.Fprintln(w, "  启动信息 Start banner: journalctl --user -u paygate")
	case runtime.GOOS == "linux":
		fmt.Fprintln(w, "  启动信息 Start banner: journalctl -u paygate")
	case spec.OutputFile != "":
		fmt.Fprintf(w, "  启动信息 Start banner: %s\n", spec.OutputFile)
	}
	if st != "running" {
		return 3 // as systemctl is-active: not running
	}
	return 0
}

// printService shows the service file install would write.
func printService(w io.Writer, spec service.Spec) int {
	if text := spec.Text(); text != "" {
		fmt.Fprintf(w, "# %s\n%s", spec.File(), text)
		return 0
	}
	fmt.Fprintf(w, "Windows service %q: %s %s\n", spec.Name, spec.Executable, strings.Join(spec.Arguments, " "))
	return 0
}

// programPath is this binary, refusing a `go run` build (it is deleted when go run ends).
func programPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	if strings.Contains(exe, "go-build") {
		return "", errors.New("这是 go run 的临时程序：请先 go build -o paygate . 再运行 ./paygate service install。\n" +
			"  This is go run's temporary binary: build one first (go build -o paygate .) and run ./paygate service install")
	}
	return exe, nil
}

// startAtBootCommand is the command the banner suggests for a start at boot.
func startAtBootCommand(cfg *config.Config) string {
	exe, err := programPath()
	if err != nil {
		return "go build -o paygate . && sudo ./paygate service install"
	}
	cmd := exe + " service install"
	if !cfg.BesideProgram && cfg.File != "" {
		cmd += " --config " + quoteArg(cfg.File)
	}
	if cfg.File == "" || cfg.Data.Dir != filepath.Join(cfg.BaseDir, "data") {
		cmd += " --data-dir " + quoteArg(cfg.Data.Dir)
	}
	if runtime.GOOS == "windows" {
		return cmd + "（以管理员身份 / as administrator）"
	}
	return "sudo " + cmd
}

func quoteArg(s string) string {
	if strings.ContainsAny(s, " '\"") {
		return strconv.Quote(s)
	}
	return s
}

// privilegeHint says to use sudo (or an administrator prompt) when a system
// service was refused to an ordinary user.
func privilegeHint(spec service.Spec) string {
	switch {
	case runtime.GOOS == "windows":
		return "  在“以管理员身份运行”的命令行里再试一次。 Try again from a command prompt run as administrator.\n"
	case !spec.PerUser || os.Geteuid() == 0:
		return ""
	}
	return "  如果服务是用 sudo 安装的，这条命令也要加 sudo。 If the service was installed with sudo, use sudo here too.\n"
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return strconv.Itoa(os.Getuid())
}

func serviceUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: paygate service ACTION [--config FILE] [--data-dir DIR]

  install     install paygate as a service with this config and data directory, start it,
              and start it at every boot (systemd on Linux, launchd on macOS, the Windows
              service manager); restarts after a crash. With sudo it is a system service that
              runs as you and may use ports 80/443; without, a per-user service
  uninstall   stop and remove the service
  start, stop, restart, status
  print       show the service file install writes
  run         what the service manager starts (the server, logging to data/logs/paygate.log)
`)
}

// giveToSudoUser hands a file root wrote under sudo to the user who ran sudo.
func giveToSudoUser(path string) {
	uid, err1 := strconv.Atoi(os.Getenv("SUDO_UID"))
	gid, err2 := strconv.Atoi(os.Getenv("SUDO_GID"))
	if err1 != nil || err2 != nil || os.Geteuid() != 0 || path == "" {
		return
	}
	_ = os.Chown(path, uid, gid)
}
