// Package logfile sets up paygate's log: text or JSON lines at a chosen
// level, to the console, to a file, or both. The file is rotated when it
// reaches its size limit (and on Rotate); rotated files are gzipped and
// deleted once older than the age limit, so a shop's disk never fills with
// logs and no logrotate or pm2-logrotate is needed.
package logfile

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

// Options say where and how to log.
type Options struct {
	Console  io.Writer // nil: not to the console
	File     string    // "": no file
	JSON     bool
	Level    slog.Level
	MaxSize  int           // megabytes before the file is rotated (at least 1)
	MaxAge   time.Duration // rotated files older than this are deleted; 0 keeps them
	Compress bool          // gzip rotated files
}

// Log is an open log.
type Log struct {
	*slog.Logger
	file *lumberjack.Logger // nil without a file
}

// Open opens the log. The file's directory is created; a file that cannot
// be written is an error saying so, in Chinese and English, before anything
// else starts.
func Open(o Options) (*Log, error) {
	var writers []io.Writer
	if o.Console != nil {
		writers = append(writers, o.Console)
	}
	l := &Log{}
	if o.File != "" {
		if err := checkFile(o.File); err != nil {
			return nil, err
		}
		l.file = &lumberjack.Logger{
			Filename: o.File,
			MaxSize:  max(o.MaxSize, 1),
			MaxAge:   days(o.MaxAge),
			Compress: o.Compress,
		}
		writers = append(writers, l.file)
	}
	var w io.Writer = io.Discard
	switch len(writers) {
	case 1:
		w = writers[0]
	case 2:
		w = io.MultiWriter(writers...)
	}
	opts := &slog.HandlerOptions{Level: o.Level}
	if o.JSON {
		l.Logger = slog.New(slog.NewJSONHandler(w, opts))
	} else {
		l.Logger = slog.New(slog.NewTextHandler(w, opts))
	}
	return l, nil
}

// Path is the log file, "" without one.
func (l *Log) Path() string {
	if l.file == nil {
		return ""
	}
	return l.file.Filename
}

// Rotate starts a new file now (the old one is kept, compressed, like one
// rotated for its size).
func (l *Log) Rotate() error {
	if l.file == nil {
		return nil
	}
	return l.file.Rotate()
}

// Close closes the file.
func (l *Log) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// checkFile makes the log's directory and makes sure the file can be
// appended to.
func checkFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return cannotWrite(path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return cannotWrite(path, err)
	}
	return f.Close()
}

func cannotWrite(path string, err error) error {
	return errors.Join(fmt.Errorf("无法写入日志文件 %s：请检查该目录的权限和剩余空间，或在 config.yaml 里用 log.file 换一个位置（log.file: off 只输出到控制台）。\n"+
		"  Cannot write the log file %s: check the directory's permissions and free space, or choose another place with log.file in config.yaml (log.file: off logs to the console only)", path, path), err)
}

// days rounds d up to whole days, as the rotation counts ages in days.
func days(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}
