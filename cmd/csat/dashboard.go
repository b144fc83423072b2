package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
	"github.com/csat-app/csat/tui"
)

func init() { dashboard = addDashboard }

// The demo's size: enough for a leaderboard with a story, small enough to
// be ready in about a second.
var demoLoad = simulate.LoadConfig{Teammates: 12, Conversations: 3000, Days: 90, Seed: 1}

// demoLiveRate is the demo's trickle of live traffic, events per second.
const demoLiveRate = 4

// dashboardGCPercent is the dashboard's GOGC. Its live heap is about
// 20 MB on a year of a 200-person team, half of it Badger's memtable
// arena, allocated whole and barely written; at the default of 100 the
// collector let as much garbage again pile up before it ran. At 50 the
// resident set is some 6 MB smaller, and a person browsing allocates too
// little for the extra collections to show (BENCHMARKS.md).
const dashboardGCPercent = 50

func addDashboard(root *cobra.Command, g *globals) {
	var demo, readOnly bool
	var as string
	root.Flags().BoolVar(&demo, "demo", false, "open the dashboard on a throwaway demo store, filled with synthetic traffic and kept moving")
	root.Flags().StringVar(&as, "as", "", "view the dashboard as this teammate (default: $USER if on the roster, else the first admin)")
	root.Flags().BoolVar(&readOnly, "read-only", false, "open the store read-only: not a byte of the data directory changes (saving settings or follow-ups is refused)")
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if demo && readOnly {
			return usageErr(errors.New("--demo uses a throwaway store and cannot be combined with --read-only"))
		}
		return runDashboard(cmd, g, demo, readOnly, as)
	}
}

func runDashboard(cmd *cobra.Command, g *globals, demo, readOnly bool, as string) error {
	if err := servedElsewhere(g, demo); err != nil { // csat serve owns the store: say how to connect (remote.go)
		return err
	}
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return usageErr(errors.New("the dashboard needs a terminal; for scripts see 'csat report' and 'csat --help'"))
	}
	softMemoryLimit(64 << 20)
	logger, closeLog := openLog()
	defer closeLog()

	var (
		st   *store.Store
		err  error
		name string
		late *lateStore // the whole store, opened after the first frame
	)
	// Closing the terminal (SIGHUP) or a SIGTERM ends the dashboard like
	// q does, so the deferred work below runs: the store closes and the
	// demo's throwaway directory goes.
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGHUP, syscall.SIGTERM)
	defer cancel()
	if demo {
		if g.dataDir != "" {
			return usageErr(errors.New("--demo uses a throwaway store and cannot be combined with --data-dir"))
		}
		dir, err := os.MkdirTemp("", "csat-demo-")
		if err != nil {
			return usageErr(fmt.Errorf("demo store: %w", err))
		}
		defer os.RemoveAll(dir)
		if st, err = openDemo(ctx, dir, logger); err != nil {
			return failedErr(err)
		}
		name = "demo"
	} else {
		if st, late, name, err = openDataDir(g, readOnly, logger); err != nil {
			return err
		}
		if late != nil {
			defer late.close()
		}
	}
	defer func() {
		if err := st.Close(); err != nil {
			logger.Printf("close store: %v", err)
		}
	}()
	if !demo && late == nil {
		if !readOnly { // a reader leaves the directory alone: no socket
			// Other csat commands on this directory run in this process meanwhile.
			defer startOwner(st.Dir(), st, nil, logger)()
		}
		collectTighter()
	}

	viewer, err := chooseViewer(st, as)
	if err != nil {
		return usageErr(err)
	}
	if demo {
		// Runs before the store closes: the traffic stops writing first.
		defer startLive(ctx, st, logger)()
	}
	logger.Printf("dashboard on %s as %q", name, viewer)
	return runTUI(tui.Options{
		Store:     st,
		Viewer:    viewer,
		Logger:    logger,
		StoreName: name,
		WhatIf:    whatIfFor(st),
		// The person at this terminal owns these files: save may write one.
		FileAccess: true,
		Context:    ctx,
	}, late)
}

// collectTighter sets the dashboard's GOGC once its whole store is open,
// unless the environment sets one: the first frame, drawn meanwhile, is
// not slowed by more collections while the heap first grows.
func collectTighter() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(dashboardGCPercent)
	}
}

// runTUI runs the dashboard; with late, the whole store opens in its
// first command, and a store that cannot be opened is the user's error.
func runTUI(opts tui.Options, late *lateStore) error {
	if late == nil {
		return tui.Run(opts)
	}
	opts.Open, opts.WhatIf = late.open, nil // the what-if reads the whole store
	err := tui.Run(opts)
	if err != nil && late.openFailed() {
		return usageErr(err) // in use, damaged
	}
	return err
}

// openDataDir opens the data directory's store for the dashboard, and
// names it for the status bar.
func openDataDir(g *globals, readOnly bool, logger *log.Logger) (st *store.Store, late *lateStore, name string, err error) {
	dir, err := store.DefaultDir(g.dataDir)
	if err != nil {
		return nil, nil, "", usageErr(err)
	}
	name = dir
	if readOnly {
		name += " (read-only)"
	}
	st, late, err = openLocal(dir, readOnly, logger)
	return st, late, name, err
}

// openLocal opens the store in dir for the dashboard: its counters
// summary when that is current (its first frame in milliseconds), with
// the whole store to open in the dashboard's first command (late); else
// the whole store now.
func openLocal(dir string, readOnly bool, logger *log.Logger) (st *store.Store, late *lateStore, err error) {
	if st, err = store.OpenSummary(dir); err == nil {
		return st, &lateStore{dir: dir, readOnly: readOnly, logger: logger}, nil
	}
	if readOnly {
		if st, err = store.Open(store.Options{Dir: dir, ReadOnly: true, Interactive: true}); err != nil {
			return nil, nil, usageErr(busyHint(dir, err))
		}
		return st, nil, nil
	}
	if st, err = store.Open(noticeUpgrade(store.Options{Dir: dir, Interactive: true})); err != nil {
		return nil, nil, usageErr(busyHint(dir, err)) // says how to connect when csat serve owns it (remote.go)
	}
	return st, nil, nil
}

// lateStore is the whole store the dashboard opens in a command while its
// first frame comes from the counters summary. close does not wait for an
// open still running (a cold open of a large store takes seconds, and q
// must quit now): that open closes what it opened when it ends, and if
// the process exits first the store is left as by any exit, which a
// later open recovers.
type lateStore struct {
	dir      string
	readOnly bool
	logger   *log.Logger
	openWith func(store.Options) (*store.Store, error) // nil: store.Open

	mu        sync.Mutex
	st        *store.Store
	stopOwner func()
	closed    bool
	failed    bool // the open failed
}

// errDashboardClosed is an open that ended after the dashboard had.
var errDashboardClosed = errors.New("the dashboard closed")

func (l *lateStore) open() (tui.Source, error) {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return nil, errDashboardClosed
	}
	opts := store.Options{Dir: l.dir, ReadOnly: l.readOnly, Interactive: true}
	opts.OnUpgrade = func(from, to uint64) func() { // the terminal is the dashboard's
		l.logger.Printf("upgrading the store from schema %d to %d", from, to)
		return func() { l.logger.Printf("the store is at schema %d", to) }
	}
	openWith := l.openWith
	if openWith == nil {
		openWith = store.Open
	}
	st, err := openWith(opts)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.failed = true
		return nil, busyHint(l.dir, err)
	}
	if l.closed {
		if err := st.Close(); err != nil {
			l.logger.Printf("close store: %v", err)
		}
		return nil, errDashboardClosed
	}
	l.st = st
	l.stopOwner = func() {}
	if !l.readOnly {
		// Other csat commands on this directory run in this process meanwhile.
		l.stopOwner = startOwner(l.dir, st, nil, l.logger)
	}
	collectTighter()
	return st, nil
}

func (l *lateStore) openFailed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed
}

func (l *lateStore) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.st == nil { // not open, or an open still running closes its own
		return
	}
	l.stopOwner()
	if err := l.st.Close(); err != nil {
		l.logger.Printf("close store: %v", err)
	}
	l.st = nil
}

// startLive keeps the demo moving with synthetic traffic; the function it
// returns stops it and waits until it has.
func startLive(ctx context.Context, st *store.Store, logger *log.Logger) (stop func()) {
	liveCtx, stopLive := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := simulate.LoadLive(liveCtx, st, demoLoad, demoLiveRate, time.Now); err != nil && liveCtx.Err() == nil {
			logger.Printf("live traffic: %v", err)
		}
	}()
	return func() { stopLive(); <-stopped }
}

// openDemo fills a fresh store with the load generator's synthetic history.
func openDemo(ctx context.Context, dir string, logger *log.Logger) (*store.Store, error) {
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		return nil, fmt.Errorf("demo store: %w", err)
	}
	cfg := demoLoad
	cfg.End = time.Now().UTC()
	start := time.Now()
	sum, err := simulate.Load(ctx, st, cfg, nil)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("demo data: %w", err)
	}
	logger.Printf("demo: %d events in %v", sum.Events, time.Since(start).Round(time.Millisecond))
	return st, nil
}

// chooseViewer resolves --as against the roster: the flag, else $USER when
// on the roster, else the first admin.
func chooseViewer(st *store.Store, as string) (string, error) {
	roster, err := st.Teammates()
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(roster))
	for _, t := range roster {
		names = append(names, t.Name)
		if as != "" && t.Name == as {
			return as, nil
		}
	}
	if as != "" {
		if len(names) == 0 {
			return "", fmt.Errorf("--as %s: the store has no teammates yet", as)
		}
		sort.Strings(names)
		return "", fmt.Errorf("--as %s: not on the roster; teammates are %s", as, strings.Join(names, ", "))
	}
	for _, t := range roster {
		if t.Name == os.Getenv("USER") {
			return t.Name, nil
		}
	}
	for _, t := range roster {
		if t.Role == domain.RoleAdmin {
			return t.Name, nil
		}
	}
	if len(roster) > 0 {
		return roster[0].Name, nil
	}
	return "", nil
}

// openLog opens the log file in the user's cache directory; the screen
// belongs to the dashboard.
func openLog() (*log.Logger, func()) {
	dir, err := os.UserCacheDir()
	if err == nil {
		dir = filepath.Join(dir, "csat")
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return log.New(io.Discard, "", 0), func() {}
	}
	f, err := os.OpenFile(filepath.Join(dir, "csat.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return log.New(io.Discard, "", 0), func() {}
	}
	return log.New(safetext.LogWriter(f), "", log.LstdFlags), func() { f.Close() }
}

// whatIfFor is the settings preview for a store (serve's sessions use it too).
func whatIfFor(st *store.Store) tui.WhatIfFunc { return tui.StoreWhatIf(st) }
