// Package cmd is paygate's command line: the server (serve.go) and each
// sub-command in its own file, all parsing flags with pflag. main embeds the
// config.yaml template, stamps the version and calls Program.Run; everything
// else a command does starts here.
package cmd

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"paygate/app"
	"paygate/app/backup"
	"paygate/app/config"
	"paygate/app/store"
)

// Program is what main puts into the executable.
type Program struct {
	Version        string // stamped by the release build
	ConfigTemplate []byte // the commented config.yaml, written on a first start
}

// Run runs the command line args (without the program name) and returns the
// process exit code: 0 done, 1 failed, 2 bad command line.
func (p Program) Run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version", "--version", "-v":
			return p.version(stdout)
		case "help", "--help", "-h", "-help":
			usage(stdout)
			return 0
		case "merchant-demo":
			return merchantDemo(args[1:], stdout, stderr)
		case "bench":
			return benchCommand(args[1:], stdout, stderr)
		case "reset-admin":
			return p.resetAdmin(args[1:], stdout, stderr)
		case "backup":
			return p.backup(args[1:], stdout, stderr)
		case "restore":
			return p.restore(args[1:], stdout, stderr)
		case "service":
			return p.service(args[1:], stdout, stderr)
		}
	}
	return p.serve(args, stdout, stderr)
}

// StartsServer: args start the server (no sub-command, only flags), so a
// failure is worth keeping a double-clicked window open for.
func StartsServer(args []string) bool {
	return len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelp(args[0]) && args[0] != "--version" && args[0] != "-v"
}

func isHelp(a string) bool { return a == "help" || a == "--help" || a == "-h" || a == "-help" }

// loadConfig reads the configuration from the server flags in args and sets
// up the log on stderr; when it cannot, it says why and code is the exit code.
func (p Program) loadConfig(args []string, stdout, stderr io.Writer) (cfg *config.Config, logger *slog.Logger, code int) {
	cfg, code = p.readConfig(args, stdout, stderr)
	if cfg == nil {
		return nil, nil, code
	}
	logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)
	for _, w := range cfg.Warnings {
		logger.Warn(w)
	}
	if cfg.Created {
		logger.Info("first start: wrote a commented config.yaml beside the executable", "config", cfg.File)
	}
	return cfg, logger, 0
}

// readConfig reads the configuration from the server flags in args; when it
// cannot, it says why and code is the exit code.
func (p Program) readConfig(args []string, stdout, stderr io.Writer) (*config.Config, int) {
	cfg, err := config.LoadOrCreate(args, p.ConfigTemplate)
	if err != nil {
		fmt.Fprintln(stderr, "paygate:", err)
		if strings.Contains(err.Error(), "unknown flag") || strings.Contains(err.Error(), "unknown command") {
			usage(stdout)
		}
		return nil, 2
	}
	return cfg, 0
}

// fail reports why a command failed: in Chinese and English with what to do
// when err says so, else as it is.
func fail(stderr io.Writer, command, dataDir string, err error) int {
	var e *app.Error
	if errors.As(err, &e) {
		explain(stderr, dataDir, err)
	} else {
		fmt.Fprintln(stderr, command+":", err)
	}
	return 1
}

// explain tells a person why paygate cannot go on and what to do, in Chinese
// and English, when err says so (a data directory in use, not writable or
// full, a damaged or newer database, an unusable backup); the OS or SQLite
// error beneath stays in err's text, which the server's log line shows.
func explain(w io.Writer, dataDir string, err error) {
	var e *app.Error
	if !errors.As(err, &e) {
		return
	}
	fmt.Fprintf(w, "\n  %s\n  %s\n", e.Zh, e.En)
	if errors.Is(err, store.ErrCorrupt) {
		if list, _ := backup.List(backup.Dir(dataDir)); len(list) > 0 {
			fmt.Fprintf(w, "\n  最新的备份 Newest backup:  %s\n  恢复 Restore:  paygate restore %s\n", list[0], list[0])
		} else {
			fmt.Fprintf(w, "\n  %s 里没有备份：如果别处有副本，用 paygate restore 副本文件 恢复；否则把损坏的 paygate.db 移走，paygate 会用一个空数据库启动。\n"+
				"  There is no backup in %s: if you have a copy elsewhere, paygate restore COPY-FILE; otherwise move the damaged paygate.db away and paygate starts with an empty database.\n",
				backup.Dir(dataDir), backup.Dir(dataDir))
		}
	}
	fmt.Fprintln(w)
}
