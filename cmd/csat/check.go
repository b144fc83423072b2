package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/simulate"
)

func init() { commands = append(commands, newCheckCmd) }

func newCheckCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Replay the event log and compare it with what the store holds",
		Long: `Replay every logged event through the rules and compare what it derives
(conversations, rating slots, day counters, all-time counters, follow-up and
achievement indexes, settings, roles, audit trail) with what the store holds.
Opens the store read-only, and streams: its memory does not grow with the
store. On a terminal, a progress bar shows the events replayed.

Exit status: 0 when everything agrees, 1 when anything differs (each
difference is printed), 2 when the store cannot be opened.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := openReader(g) // the store, or the csat serve that owns it (remote.go)
			if err != nil {
				return usageErr(err)
			}
			defer s.Close()
			checkGarbage()
			var progress func(done, total uint64)
			if bar := progressBar(c.ErrOrStderr()); bar != nil {
				shown := uint64(0)
				progress = func(done, total uint64) {
					if step := total/500 + 1; done == total || done >= shown+step {
						shown = done
						bar(int(done), int(total))
					}
				}
			}
			diffs, err := s.CheckProgress(simulate.ReplayInto, progress)
			if err != nil {
				return failedErr(fmt.Errorf("check %s: %w", s.Dir(), err))
			}
			out := c.OutOrStdout()
			for _, d := range diffs {
				fmt.Fprintln(out, d)
			}
			if len(diffs) > 0 {
				return failedErr(fmt.Errorf("check %s: %d differences between the log and the stored state", s.Dir(), len(diffs)))
			}
			fmt.Fprintf(out, "ok: %d events replayed; state, counters and indexes agree\n", s.Seq())
			return nil
		},
	}
}

// checkHeapLimit bounds a check's heap. A check decodes and encodes a
// record for every event it replays and keeps little of them: under the
// default GOGC the collector ran every few megabytes and took a third of
// the CPU. It may let garbage grow to this limit instead (the process
// stays under 256 MB with Badger's caches and the mapped pages).
const checkHeapLimit = 160 << 20

// checkGarbage sets the collector for a check, unless GOGC or GOMEMLIMIT do.
func checkGarbage() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(1000)
		debug.SetMemoryLimit(checkHeapLimit)
	}
}
