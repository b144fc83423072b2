// Command csat is the CSAT dashboard and rule simulator. This package only
// wires flags to the domain, store, simulate and tui packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit statuses shared by every command.
const (
	exitOK     = 0
	exitFailed = 1 // an expectation or a check failed
	exitUsage  = 2 // bad input: flags, scripts, data directory
)

// exitError carries an exit status through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as bad input (exit 2).
func usageErr(err error) error { return &exitError{exitUsage, err} }

// failedErr marks err as a failed check (exit 1).
func failedErr(err error) error { return &exitError{exitFailed, err} }

// commands registers subcommands; each lives in its own file and adds itself in init.
var commands []func(g *globals) *cobra.Command

// globals are the flags every command shares.
type globals struct {
	dataDir string
	stdin   io.Reader
	args    []string // the command line, for the data directory's owner (owner.go)

	// Set when the command runs inside the process that owns the store,
	// for another csat process.
	owned    *owned
	cwd      string // that process's working directory
	terminal bool   // whether its stderr is a terminal
	env      map[string]string

	profiles profiles // hidden --cpuprofile, --memprofile (profile.go)
}

// The root's hook (forwardToOwner) keeps running should a subcommand add
// its own persistent hook.
func init() { cobra.EnableTraverseRunHooks = true }

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return execute(context.Background(), &globals{stdin: stdin}, args, stdout, stderr)
}

// execute runs one command line, here or, for another csat process, in
// the process that owns the store (owner.go).
func execute(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) int {
	g.args = args
	root := newRoot(g)
	root.SetArgs(args)
	root.SetIn(g.stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	g.profiles.stop()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "csat:", ee.err)
		}
		return ee.code
	}
	// Everything cobra rejects itself is a usage error.
	fmt.Fprintln(stderr, "csat:", err)
	return exitUsage
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "csat",
		Short: "CSAT dashboard and conversation-rating rule simulator",
		Long: `csat shows support leads how customers rate their conversations, and lets
trainers and developers see exactly why a survey was or wasn't sent.

Run it with no command to open the dashboard.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	// Every command first asks whether the data directory's owner should run it.
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if err := g.profiles.start(); err != nil {
			return err
		}
		return forwardToOwner(g, c)
	}
	g.profiles.addFlags(root)
	root.PersistentFlags().StringVar(&g.dataDir, "data-dir", "", "data directory (default $CSAT_DATA_DIR, else $XDG_DATA_HOME/csat)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr(fmt.Errorf("%w (see '%s --help')", err, c.CommandPath()))
	})
	for _, build := range commands {
		root.AddCommand(build(g))
	}
	if dashboard != nil {
		dashboard(root, g)
	}
	return root
}

// dashboard, when set (by dashboard.go), makes the bare command open the TUI.
var dashboard func(root *cobra.Command, g *globals)

// softMemoryLimit sets the Go heap's soft limit for a long-running command,
// unless GOMEMLIMIT does; the limit is the budget of the heap and of
// Badger's table buffers mapped outside it together (memlimit.go). Badger builds new tables in memory during
// memtable flushes and compactions (a compaction at open held ~150 MiB),
// and pure-Go builds leave those buffers to the collector; with the
// default GOGC the heap then doubles and stays there. Under a soft limit
// the collector reclaims them promptly, at no cost while the heap is
// small. Measured in BENCHMARKS.md and RELIABILITY.md.
// bulkMemoryLimit is the soft heap limit of a bulk writer (load, import,
// sync): its heap is mostly Badger's table builders and memtables, garbage
// once a table is written. Without it a 100k-conversation load peaked at
// 547 MB (BENCHMARKS.md, Ingest). With the binary's text and the mapped
// table pages (about 40 MB) it keeps a load's resident set under 256 MB.
// It must stay well above what the writer holds live: memtables (21 MiB),
// caches (28 MiB: Badger's blocks and indexes, 12, and the writer's
// conversations, up to 16, store/conv_cache.go), a load's plans in
// flight (6 MB on average, 8.4 at most, at the 2.8M load's density, measured
// when a planned event took 40 bytes; it takes 32 now; a load's limit counts
// its generator apart, memlimit.go loadStoreBudget) and the builders of the
// compactions running. Those builders are no longer pooled between
// compactions (third_party/ristretto/CSAT.md); when they were, the live
// set of the 2.8M load passed 160 MiB and the collector ran without pause.
const bulkMemoryLimit = 176 << 20

func softMemoryLimit(bytes int64) {
	if os.Getenv("GOMEMLIMIT") == "" {
		limitWithMapped(bytes)
	}
}
