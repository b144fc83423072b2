package store

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// fileLogger sends Badger's warnings and errors to a file in the data
// directory, opened on first use, so they never reach the terminal.
//
// It also tells Close when Badger fails to write a memtable to a table
// (see Store.closeBadger).
type fileLogger struct {
	path    string
	mu      sync.Mutex
	f       *os.File
	flushMu sync.Mutex
	flushCh chan string // the last flush failure, if not yet taken
}

func (l *fileLogger) write(level, format string, args ...any) {
	line := fmt.Sprintf(strings.TrimRight(format, "\n"), args...)
	if strings.Contains(line, "error flushing memtable") {
		select {
		case l.flushFailures() <- line:
		default:
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		f, err := os.OpenFile(l.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return
		}
		l.f = f
	}
	if _, err := fmt.Fprintf(l.f, "%s %s %s\n", time.Now().UTC().Format(time.RFC3339), level, line); err != nil {
		// A full disk: leave no empty log behind.
		if fi, serr := l.f.Stat(); serr == nil && fi.Size() == 0 {
			os.Remove(l.path)
		}
		l.f.Close()
		l.f = nil
	}
}

// flushFailures delivers Badger's reports that it could not write a
// memtable to a table; nil (never ready) without a logger.
func (l *fileLogger) flushFailures() chan string {
	if l == nil {
		return nil
	}
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	if l.flushCh == nil {
		l.flushCh = make(chan string, 1)
	}
	return l.flushCh
}

func (l *fileLogger) close() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

func (l *fileLogger) Errorf(f string, a ...any)   { l.write("ERROR", f, a...) }
func (l *fileLogger) Warningf(f string, a ...any) { l.write("WARN", f, a...) }
func (l *fileLogger) Infof(string, ...any)        {}
func (l *fileLogger) Debugf(string, ...any)       {}

type silentLogger struct{}

func (silentLogger) Errorf(string, ...any)   {}
func (silentLogger) Warningf(string, ...any) {}
func (silentLogger) Infof(string, ...any)    {}
func (silentLogger) Debugf(string, ...any)   {}
