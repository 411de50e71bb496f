// Package service installs paygate as a system service that starts at boot
// and restarts after a crash — systemd on Linux, launchd on macOS, the
// Windows service manager — running as the person who installs it, with the
// same config file and data directory. It replaces the merchant guide's PM2
// (pm2 startup, pm2 save). The service library is github.com/kardianos/service;
// the systemd unit and the launchd plist are paygate's own (files.go).
package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/kardianos/service"
)

// Name is the service's name: paygate.service, paygate.plist, the Windows service "paygate".
const Name = "paygate"

// Spec is what the service runs and as whom.
type Spec struct {
	Name             string
	Description      string
	Executable       string   // absolute path of the paygate binary
	Arguments        []string // service run --config … --data-dir …
	WorkingDirectory string
	// UserName runs a system service as this account ("" = the service
	// manager's default: root, or LocalSystem on Windows).
	UserName string
	// PerUser installs into the user's own service manager (systemd --user,
	// a LaunchAgent): no root needed, but it starts at login, not at boot,
	// unless lingering is on (Linux), and may not bind ports below 1024.
	PerUser bool
	// OutputFile takes what the service prints (launchd only; systemd keeps it in the journal).
	OutputFile string
}

// NewSpec is the service for exe with configFile and dataDir, run as the
// invoking user: under sudo, a system service (boot start, ports 80/443)
// running as the user who ran sudo; as root, as root; as anyone else, a
// per-user service. On Windows it is a system service (LocalSystem: running
// as a user would need that user's password).
func NewSpec(exe, configFile, dataDir string) Spec {
	s := Spec{
		Name:             Name,
		Description:      "paygate payment gateway",
		Executable:       exe,
		Arguments:        []string{"service", "run", "--config", configFile, "--data-dir", dataDir},
		WorkingDirectory: filepath.Dir(configFile),
	}
	if configFile == "" { // the built-in defaults: the data directory says it all
		s.Arguments, s.WorkingDirectory = []string{"service", "run", "--data-dir", dataDir}, filepath.Dir(dataDir)
	}
	if runtime.GOOS == "darwin" {
		s.OutputFile = filepath.Join(dataDir, "logs", "paygate.out.log")
	}
	if runtime.GOOS == "windows" {
		return s
	}
	if os.Geteuid() != 0 {
		s.PerUser = true
	} else if u := os.Getenv("SUDO_USER"); u != "" && u != "root" {
		s.UserName = u
	}
	return s
}

// Controller installs, starts, stops and runs the service.
type Controller struct {
	Spec Spec
	svc  service.Service
	prog *program
}

// New prepares the controller. run is the server, for `paygate service run`
// (nil to install and control the service): it must return when its context ends.
func New(spec Spec, run func(ctx context.Context) error) (*Controller, error) {
	opt := service.KeyValue{"UserService": spec.PerUser}
	switch runtime.GOOS {
	case "linux":
		opt["SystemdScript"] = SystemdUnit(spec)
	case "darwin":
		opt["LaunchdConfig"] = LaunchdPlist(spec)
	case "windows":
		opt["StartType"] = "automatic"
		opt["OnFailure"] = "restart"
		opt["OnFailureDelayDuration"] = "5s"
		opt["OnFailureResetPeriod"] = 600
	}
	prog := &program{run: run}
	svc, err := service.New(prog, &service.Config{
		Name: spec.Name, DisplayName: spec.Description, Description: spec.Description,
		Executable: spec.Executable, Arguments: spec.Arguments, WorkingDirectory: spec.WorkingDirectory,
		UserName: spec.UserName, Option: opt,
	})
	if err != nil {
		return nil, err
	}
	// Running needs no particular manager; installing writes a systemd unit.
	if run == nil && runtime.GOOS == "linux" && service.ChosenSystem() != nil && service.ChosenSystem().String() != "linux-systemd" {
		return nil, fmt.Errorf("这台机器的服务管理器是 %s，paygate service 只支持 systemd：请用它自己的方式开机启动 paygate（命令见 paygate service print）。\n"+
			"  This machine's service manager is %s; paygate service supports systemd only: start paygate at boot your system's way (the command is in paygate service print)",
			service.ChosenSystem(), service.ChosenSystem())
	}
	return &Controller{Spec: spec, svc: svc, prog: prog}, nil
}

// Platform names the service manager in use, e.g. linux-systemd.
func (c *Controller) Platform() string { return c.svc.Platform() }

// Install writes the service file (or registers the Windows service) and
// enables it at boot; Start starts it.
func (c *Controller) Install() error { return c.svc.Install() }

// Uninstall stops the service and removes it.
func (c *Controller) Uninstall() error {
	_ = c.svc.Stop()
	return c.svc.Uninstall()
}

func (c *Controller) Start() error   { return c.svc.Start() }
func (c *Controller) Stop() error    { return c.svc.Stop() }
func (c *Controller) Restart() error { return c.svc.Restart() }

// Status is running, stopped or not installed.
func (c *Controller) Status() (string, error) {
	st, err := c.svc.Status()
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		return "not installed", nil
	case err != nil:
		return "unknown", err
	case st == service.StatusRunning:
		return "running", nil
	case st == service.StatusStopped:
		return "stopped", nil
	}
	return "unknown", nil
}

// Run runs the server under the service manager until it stops the
// service (on Windows, talking to the service control manager).
func (c *Controller) Run() error { return c.svc.Run() }

// Err is what the server returned, once Run has returned.
func (c *Controller) Err() error { return c.prog.err }

// File is where the service file goes, "" on Windows (the registry).
func (s Spec) File() string {
	switch runtime.GOOS {
	case "linux":
		if s.PerUser {
			home, _ := os.UserHomeDir()
			return filepath.Join(home, ".config", "systemd", "user", s.Name+".service")
		}
		return "/etc/systemd/system/" + s.Name + ".service"
	case "darwin":
		if s.PerUser {
			home, _ := os.UserHomeDir()
			return filepath.Join(home, "Library", "LaunchAgents", s.Name+".plist")
		}
		return "/Library/LaunchDaemons/" + s.Name + ".plist"
	}
	return ""
}

// Text is the service file as installed ("" on Windows).
func (s Spec) Text() string {
	switch runtime.GOOS {
	case "linux":
		return SystemdUnit(s)
	case "darwin":
		return LaunchdPlist(s)
	}
	return ""
}

// program adapts the server to the service library: Start must not block,
// Stop ends the server and waits for it.
type program struct {
	run    func(ctx context.Context) error
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func (p *program) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go func() {
		defer close(p.done)
		p.err = p.run(ctx)
		if p.err != nil && ctx.Err() == nil {
			// The server stopped by itself: exit non-zero so the service
			// manager restarts it.
			fmt.Fprintln(os.Stderr, "paygate:", p.err)
			os.Exit(1)
		}
	}()
	return nil
}

func (p *program) Stop(service.Service) error {
	if p.cancel != nil {
		p.cancel()
		<-p.done
	}
	return nil
}
