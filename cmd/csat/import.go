package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	"github.com/spf13/cobra"

	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
)

func init() { commands = append(commands, newImportCmd) }

func newImportCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import data from a helpdesk",
		Args:  cobra.NoArgs,
	}
	var skipBad bool
	ic := &cobra.Command{
		Use:   "intercom FILE|DIR",
		Short: "Import conversations exported from the Intercom REST API",
		Long: `Import conversations as the Intercom REST API returns them: a JSON array,
a conversation.list object, one object per line, or a directory of such
files (.json, .jsonl, .ndjson). Ratings (conversation_rating, v1 or v2 shape)
are stored as observed facts; the conversation parts go through the rules.

Importing the same data twice changes nothing. A malformed record is
reported with its file and line; by default nothing is imported then
(exit 2), with --skip-bad the good records are imported (exit 1).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(g, args[0], skipBad, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	ic.Flags().BoolVar(&skipBad, "skip-bad", false, "import the good records even when some are malformed")
	cmd.AddCommand(ic)
	return cmd
}

func runImport(g *globals, path string, skipBad bool, stdout, stderr io.Writer) error {
	recs, err := intercom.ReadPath(g.abs(path))
	if err != nil {
		return usageErr(fmt.Errorf("import: %w", err))
	}
	// Check every record before touching the store: bad input changes
	// nothing. A time more than 10 minutes after this machine's clock is
	// bad input too.
	received := time.Now()
	var malformed []intercom.Skip
	for _, r := range recs {
		if r.Err == nil {
			var p intercom.Plan
			if p, r.Err = intercom.Map(&r.Conv); r.Err == nil {
				r.Err = p.Ahead(received)
			}
		}
		if r.Err != nil {
			malformed = append(malformed, intercom.Skip{What: r.Source, Reason: r.Err.Error()})
		}
	}
	for _, m := range malformed {
		fmt.Fprintf(stderr, "%s: %s\n", m.What, m.Reason)
	}
	if len(malformed) > 0 && !skipBad {
		return usageErr(fmt.Errorf("import: %d of %d records malformed; nothing imported (--skip-bad imports the rest)", len(malformed), len(recs)))
	}
	st, release, err := useBulkStore(g) // or the store of the csat process owning it (owner.go)
	if err != nil {
		return usageErr(err)
	}
	rep, bad, err := importInto(g, st, recs, received, stderr)
	if cerr := release(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return failedErr(fmt.Errorf("import: %w", err))
	}
	printImportSummary(stdout, len(recs)-len(bad), rep)
	if len(bad) > 0 {
		return failedErr(fmt.Errorf("import: %d malformed records not imported", len(bad)))
	}
	return nil
}

func importInto(g *globals, st *store.Store, recs []intercom.Record, received time.Time, stderr io.Writer) (intercom.Report, []intercom.Skip, error) {
	in, err := ingesterFor(g, st)
	if err != nil {
		return intercom.Report{}, nil, err
	}
	var show func(done, total int)
	if g.stderrIsTerminal(stderr) {
		bar := progress.New(progress.WithDefaultGradient(), progress.WithWidth(40))
		show = func(done, total int) {
			if total > 0 {
				fmt.Fprintf(stderr, "\r%s %d/%d events", bar.ViewAs(float64(done)/float64(total)), done, total)
			}
			if done == total {
				fmt.Fprintln(stderr)
			}
		}
	}
	return intercom.Import(in, recs, received, show)
}

func printImportSummary(w io.Writer, records int, rep intercom.Report) {
	fmt.Fprintf(w, "imported %d records: %d events written, %d already imported, %d skipped\n", records, rep.Applied, rep.Already, len(rep.Skipped))
	if len(rep.Truncated) > 0 {
		fmt.Fprintf(w, "  truncated %d × more parts than listed (Intercom lists at most 500), history incomplete: %s\n",
			len(rep.Truncated), strings.Join(rep.Truncated, ", "))
	}
	printSkipped(w, rep.Skipped)
	if len(rep.Legacy) > 0 {
		fmt.Fprintf(w, "  note: an older csat keyed %d Intercom teammates by their names; their history keeps those keys, and their ratings here join them (shown by the names Intercom gives): %s\n",
			len(rep.Legacy), safetext.Line(strings.Join(rep.Legacy, ", ")))
	}
}

// printSkipped lists what an ingest left out, by reason, most common first.
func printSkipped(w io.Writer, skipped []intercom.Skip) {
	if len(skipped) == 0 {
		return
	}
	byReason := map[string][]string{}
	for _, s := range skipped {
		byReason[s.Reason] = append(byReason[s.Reason], s.What)
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if len(byReason[reasons[i]]) != len(byReason[reasons[j]]) {
			return len(byReason[reasons[i]]) > len(byReason[reasons[j]])
		}
		return reasons[i] < reasons[j]
	})
	for _, r := range reasons {
		whats := byReason[r]
		more := ""
		if len(whats) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(whats)-1)
		}
		fmt.Fprintf(w, "  skipped %d × %s: %s%s\n", len(whats), r, whats[0], more)
	}
}
