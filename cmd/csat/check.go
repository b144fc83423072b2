package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/simulate"
)

func init() { commands = append(commands, newCheckCmd) }

func newCheckCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Replay the event log and compare it with the stored state, counters and indexes",
		Long: `Replay every logged event through the rules into a fresh in-memory store and
compare what it derives (conversations, rating slots, day counters, all-time
counters, follow-up and achievement indexes, settings, roles, audit trail)
with what the store holds. Opens the store read-only.

Exit status: 0 when everything agrees, 1 when anything differs (each
difference is printed), 2 when the store cannot be opened.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := openReader(g) // the store, or the csat serve that owns it (remote.go)
			if err != nil {
				return usageErr(err)
			}
			defer s.Close()
			diffs, err := s.Check(simulate.ReplayInto)
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
