package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/owner"
	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/store"
)

// throughOwner lists the commands that, when another csat process owns the
// data directory, run inside that process (package owner) instead of
// failing on the store's lock.
var throughOwner = map[string]bool{
	"csat report":          true,
	"csat export":          true,
	"csat check":           true,
	"csat import intercom": true,
	"csat sync intercom":   true,
	"csat simulate whatif": true,
	"csat simulate run":    true,
	"csat forget":          true,

	"csat simulate scenarios list": true,
	"csat simulate scenarios show": true,

	"csat teams list":         true,
	"csat teams add":          true,
	"csat teams remove":       true,
	"csat teammates list":     true,
	"csat teammates add":      true,
	"csat teammates set-role": true,
}

// owned is the store this process holds while it answers other processes.
type owned struct {
	dir string
	st  *store.Store
	in  *intercom.Ingester
}

// ownerGrace bounds how long commands under way get when the owner stops.
const ownerGrace = 10 * time.Second

// startOwner answers other csat processes on dir's socket with st. A
// socket that cannot be made is logged: the others are then told the store
// is in use, as before.
func startOwner(dir string, st *store.Store, in *intercom.Ingester, logger *log.Logger) (stop func()) {
	if in == nil {
		var err error
		if in, err = intercom.NewIngester(st); err != nil {
			logger.Printf("imports for other csat commands will each read the Intercom names: %v", err)
		}
	}
	o := &owned{dir: dir, st: st, in: in}
	l, err := owner.Listen(dir, func(ctx context.Context, req owner.Request, stdout, stderr io.Writer) int {
		g := &globals{stdin: bytes.NewReader(req.Stdin), owned: o, cwd: req.Dir, terminal: req.Terminal, env: req.Env}
		return execute(ctx, g, req.Args, stdout, stderr)
	})
	if err != nil {
		logger.Printf("other csat commands on %s will find it in use: %v", dir, err)
		return func() {}
	}
	return func() { l.Close(ownerGrace) }
}

// errForwarded ends a command that ran in the owning process; its exit
// status is the owner's and its output has been copied already.
var errForwarded = errors.New("")

// forwardToOwner runs before every command. In the owning process it
// refuses what may not run there and pins the data directory; elsewhere it
// hands a command that needs the store to the directory's owner, if one
// answers.
func forwardToOwner(g *globals, c *cobra.Command) error {
	path := c.CommandPath()
	if g.owned != nil {
		if !throughOwner[path] {
			return usageErr(fmt.Errorf("%s cannot run through the csat process that owns %s", path, g.owned.dir))
		}
		g.dataDir = g.owned.dir
		return nil
	}
	if !throughOwner[path] {
		return nil
	}
	if dry, _ := c.Flags().GetBool("dry-run"); dry {
		return nil
	}
	dir, err := store.DefaultDir(g.dataDir)
	if err != nil {
		return nil // the command reports it
	}
	cwd, _ := os.Getwd()
	req := owner.Request{Args: g.args, Dir: cwd, Terminal: isTerminal(c.ErrOrStderr()), Env: map[string]string{}}
	for _, k := range forwardedEnv {
		if v, ok := os.LookupEnv(k); ok {
			req.Env[k] = v
		}
	}
	if slices.Contains(g.args, "-") {
		if req.Stdin, err = io.ReadAll(g.stdin); err != nil {
			return usageErr(fmt.Errorf("reading stdin: %w", err))
		}
	}
	// Ctrl-C here ends the command there, at its next step.
	ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := owner.Forward(ctx, dir, req, c.OutOrStdout(), c.ErrOrStderr())
	switch {
	case errors.Is(err, owner.ErrNoOwner):
		return nil
	case err != nil && ctx.Err() != nil:
		return failedErr(fmt.Errorf("interrupted; the csat process owning %s stopped the command (what it wrote stays)", dir))
	case err != nil:
		return failedErr(err)
	}
	return &exitError{code, errForwarded}
}

// forwardedEnv are the variables a command reads that travel with it to
// the owning process.
var forwardedEnv = []string{apiURLEnv}

// getenv reads a variable of the environment the command was started in.
func (g *globals) getenv(key string) string {
	if g.owned != nil {
		return g.env[key]
	}
	return os.Getenv(key)
}

// isTerminal reports whether w is a terminal: for a command run for
// another process, whether that process's stderr is.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// stderrIsTerminal is isTerminal for the command's stderr, wherever it runs.
func (g *globals) stderrIsTerminal(w io.Writer) bool {
	return g.terminal || isTerminal(w)
}

// abs resolves a path the user gave against their working directory,
// which is not this process's when the command runs for another process.
func (g *globals) abs(path string) string {
	if g.cwd == "" || filepath.IsAbs(path) || path == "-" {
		return path
	}
	return filepath.Join(g.cwd, path)
}

// useStore is the data directory's store: the one this process owns, or
// one opened for the command. release closes only what was opened.
func useStore(g *globals, readOnly bool) (st *store.Store, release func() error, err error) {
	return useStoreWith(g, store.Options{ReadOnly: readOnly})
}

// useBulkStore is useStore for a bulk writer (import, sync): a store
// opened here gets the bulk write options and the bulk soft heap limit;
// the owner's store keeps its own.
func useBulkStore(g *globals) (st *store.Store, release func() error, err error) {
	if g.owned == nil {
		softMemoryLimit(bulkMemoryLimit)
	}
	return useStoreWith(g, store.Options{Bulk: true})
}

func useStoreWith(g *globals, opts store.Options) (st *store.Store, release func() error, err error) {
	if g.owned != nil {
		return g.owned.st, func() error { return nil }, nil
	}
	dir, err := store.DefaultDir(g.dataDir)
	if err != nil {
		return nil, nil, err
	}
	opts.Dir = dir
	st, err = store.Open(noticeUpgrade(opts))
	if err != nil {
		return nil, nil, busyHint(dir, err)
	}
	return st, st.Close, nil
}

// ingesterFor is the Intercom ingester of st: the owner's own, so that
// imports and syncs queue with its webhooks, or a new one.
func ingesterFor(g *globals, st *store.Store) (*intercom.Ingester, error) {
	if g.owned != nil && g.owned.in != nil {
		return g.owned.in, nil
	}
	return intercom.NewIngester(st)
}

// reader is what report, export and check read: the store, or the one a
// csat process owning the data directory lends. Reports and exports are the
// rows of the report contract, so the output is the same either way.
type reader interface {
	Close() error
	Dir() string
	Seq() uint64
	Report(q report.Query) (report.Leaderboard, error)
	Series(agent domain.Actor, by domain.Bucket, q report.Query) (report.Series, error)
	Ratings(fn func(report.RatingRow) error) error
	Conversations(fn func(report.ConversationRow) error) error
	CheckProgress(replay store.LogReplay, progress func(done, total uint64)) ([]store.Difference, error)
}

// openReader opens the store read-only, or lends the owned one.
func openReader(g *globals) (reader, error) {
	if g.owned != nil {
		return ownedReader{g.owned, storeReader{g.owned.st}}, nil
	}
	s, err := openStore(g, true)
	if err != nil {
		return nil, err
	}
	return storeReader{s}, nil
}

// openCountersReader is openReader for a command that reads only
// leaderboards and series: the store may answer from its counters
// summary without opening its tables (store.Options.CountersOnly).
func openCountersReader(g *globals) (reader, error) {
	if g.owned != nil {
		return openReader(g)
	}
	dir, err := store.DefaultDir(g.dataDir)
	if err != nil {
		return nil, err
	}
	s, err := store.Open(store.Options{Dir: dir, ReadOnly: true, CountersOnly: true})
	if err != nil {
		return nil, err
	}
	return storeReader{s}, nil
}

// storeReader reads a store: the contract's rows from its own reads.
type storeReader struct{ *store.Store }

func (r storeReader) Report(q report.Query) (report.Leaderboard, error) {
	return report.Run(r.Store, q)
}

func (r storeReader) Series(agent domain.Actor, by domain.Bucket, q report.Query) (report.Series, error) {
	return report.RunSeries(r.Store, agent, by, q)
}

func (r storeReader) Ratings(fn func(report.RatingRow) error) error {
	return report.EachRating(r.Store, fn)
}

func (r storeReader) Conversations(fn func(report.ConversationRow) error) error {
	return report.EachConversation(r.Store, fn)
}

// ownedReader reads the owner's store for a command run for another
// process; the store stays open when the command ends.
type ownedReader struct {
	*owned
	storeReader
}

func (r ownedReader) Close() error { return nil }
func (r ownedReader) Dir() string  { return r.st.Dir() }
func (r ownedReader) Seq() uint64  { return r.st.Seq() }

// Check replays the log while webhooks go on: the store compares one
// snapshot's log and state. Holding ingestion for the whole replay made
// webhooks answer 503 (their 4 s limit) while csat check ran.
func (r ownedReader) CheckProgress(replay store.LogReplay, progress func(done, total uint64)) ([]store.Difference, error) {
	return r.st.CheckProgress(replay, progress)
}
