package cmd

import (
	"io"
	"log/slog"
	"os"

	"paygate/app/config"
	"paygate/app/logfile"
)

// openLog opens the server's log as config says — to the console, and to a
// rotated file when log.file names one or paygate runs as a service or from
// a double-clicked set-up — and repeats the config's warnings there. A
// service with a file logs only to the file (its manager's own log keeps
// the start banner and what is printed before the file opens).
func openLog(cfg *config.Config, asService bool, console io.Writer) (*logfile.Log, error) {
	file := cfg.LogFile(asService)
	if asService && file != "" {
		console = nil
	}
	opts := logfile.Options{Console: console, File: file, JSON: cfg.Log.JSON, Level: cfg.Log.Level,
		MaxSize: cfg.Log.MaxSize, MaxAge: cfg.Log.MaxAge, Compress: cfg.Log.Compress}
	l, err := logfile.Open(opts)
	var fileErr error
	if err != nil && cfg.Log.Auto {
		// The file paygate chose itself cannot be written (the data directory
		// is read-only or full, which the start then explains): log on.
		fileErr, opts.File, opts.Console = err, "", stderrOr(console)
		l, err = logfile.Open(opts)
	}
	if err != nil {
		return nil, err
	}
	slog.SetDefault(l.Logger)
	if fileErr != nil {
		l.Warn("logging to the console only", "err", fileErr)
	}
	for _, w := range cfg.Warnings {
		l.Warn(w)
	}
	if cfg.Created {
		l.Info("first start: wrote a commented config.yaml beside the executable", "config", cfg.File)
	}
	return l, nil
}

func stderrOr(w io.Writer) io.Writer {
	if w == nil {
		return os.Stderr
	}
	return w
}
