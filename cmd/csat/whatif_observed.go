package main

// `csat simulate whatif --against observed` compares the ratings observed in
// Intercom with what this project's rules decide on the same conversation
// parts. The flag is grafted onto the whatif command from this file, which
// init runs after whatif.go's (files initialize in name order), so the
// what-if replay itself stays untouched.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/report"
)

func init() {
	for i, build := range simulateSubcommands {
		simulateSubcommands[i] = withAgainstObserved(build)
	}
}

// maxDiverging bounds the conversations listed in the table.
const maxDiverging = 20

func withAgainstObserved(build func(g *globals) *cobra.Command) func(g *globals) *cobra.Command {
	return func(g *globals) *cobra.Command {
		cmd := build(g)
		if cmd.Name() != "whatif" {
			return cmd
		}
		var against string
		cmd.Flags().StringVar(&against, "against", "", `"observed": compare the ratings observed in Intercom with what the rules decide`)
		run := cmd.RunE
		cmd.RunE = func(c *cobra.Command, args []string) error {
			switch against {
			case "":
				return run(c, args)
			case "observed":
			default:
				return usageErr(fmt.Errorf("--against %s: want observed", against))
			}
			if c.Flags().Changed("set") || c.Flags().Changed("profile") || c.Flags().Changed("since") {
				return usageErr(fmt.Errorf("--against observed replays the history as recorded: it takes no --set, --profile or --since"))
			}
			format, _ := c.Flags().GetString("format")
			if format != "table" && format != "json" {
				return usageErr(fmt.Errorf("--format %s: want table or json", format))
			}
			ctx, stop := interruptible(c, g)
			defer stop()
			return runAgainstObserved(ctx, g, format, c.OutOrStdout())
		}
		return cmd
	}
}

func runAgainstObserved(ctx context.Context, g *globals, format string, out io.Writer) error {
	st, release, err := useStore(g, true) // or the store of the csat process owning it (owner.go)
	if err != nil {
		return usageErr(err)
	}
	defer release()
	cmp, err := intercom.CompareObserved(func(yield func(domain.Event) error) error {
		n := 0
		return st.EachEvent(func(ev domain.Event) error {
			if n%1024 == 0 && ctx.Err() != nil { // the first too
				return ctx.Err()
			}
			n++
			return yield(ev)
		})
	})
	switch {
	case err != nil && ctx.Err() != nil:
		return failedErr(errWhatIfInterrupted)
	case err != nil:
		return failedErr(fmt.Errorf("whatif: %w", err))
	}
	if format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(report.NewObserved(&cmp, st.DisplayName))
	}
	fmt.Fprintf(out, "Ratings observed in Intercom: %d\n", cmp.Observed)
	fmt.Fprintf(out, "  the rules would also have asked the same agent: %d\n", cmp.Agree)
	fmt.Fprintf(out, "  the rules would have sent no survey:            %d\n", cmp.Skipped)
	codes := make([]string, 0, len(cmp.SkippedBy))
	for c := range cmp.SkippedBy {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if cmp.SkippedBy[codes[i]] != cmp.SkippedBy[codes[j]] {
			return cmp.SkippedBy[codes[i]] > cmp.SkippedBy[codes[j]]
		}
		return codes[i] < codes[j]
	})
	for _, c := range codes {
		fmt.Fprintf(out, "    %-24s %d\n", c, cmp.SkippedBy[c])
	}
	fmt.Fprintf(out, "  the rules would have asked for someone else:    %d\n", cmp.OtherAgent)
	fmt.Fprintf(out, "  no close or ask to decide on:                   %d\n", cmp.NoDecision)
	fmt.Fprintf(out, "Intercom conversations where the rules sent a survey and no rating was observed: %d\n", cmp.RulesOnly)
	if len(cmp.Diverging) > 0 {
		fmt.Fprintln(out, "\nWhere they differ:")
		for i, d := range cmp.Diverging {
			if i == maxDiverging {
				fmt.Fprintf(out, "  … and %d more (--format json lists all)\n", len(cmp.Diverging)-maxDiverging)
				break
			}
			fmt.Fprintf(out, "  %s  %s rated %d %s  rules: %s\n", d.Conv, st.DisplayName(d.Agent), d.Value, domain.Face(d.Value), d.Rules)
		}
	}
	return nil
}
