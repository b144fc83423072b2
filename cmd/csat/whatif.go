package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/simulate"
)

func init() { simulateSubcommands = append(simulateSubcommands, newSimulateWhatIfCmd) }

type whatIfFlags struct {
	sets    []string
	profile string
	since   string
	format  string
}

func newSimulateWhatIfCmd(g *globals) *cobra.Command {
	f := &whatIfFlags{}
	cmd := &cobra.Command{
		Use:   "whatif --set KEY=VALUE [--set ...] [--profile intercom|operator] [--since 30d] [--format table|json]",
		Short: "Replay the stored history under other settings and compare the surveys sent",
		Long: `Replay the stored events into a fresh workspace under changed settings and
show, beside what actually happened, how many surveys would have been sent or
skipped, and why. Setting changes recorded in the history still apply, except
for the keys given with --set, which stay pinned.

Conversations imported from Intercom were decided by Intercom, whose surveys
and ratings are observed facts. They are shown apart: the rules decide them
under the settings as recorded and under the new ones, decided against
decided (compare the rules with what Intercom observed with --against observed).

Only the decisions of the window (--since: a span before the store's last
event, a date, or "all") are counted. Every rule reads only the event's
conversation and the workspace settings, so the replay reads the settings,
role and team changes and the whole history of each conversation touched in
the window, not the whole log; only the conversations whose rules read a
setting given with --set are decided again under it. Nothing is written.

Keys are those of the settings panel: users.csat, users.direct-outbound,
users.workflow-outbound, users.rating-window, users.change-window,
users.survey-app (and the same for leads), workspace.hide-scores,
workspace.target, workspace.followup, workspace.profile.`,
		Example: "  csat simulate whatif --set users.direct-outbound=off\n  csat simulate whatif --profile operator --since 90d --format json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runWhatIf(c, g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.sets, "set", nil, "a setting to pin, KEY=VALUE (repeatable)")
	fl.StringVar(&f.profile, "profile", "", "rule profile to replay under: intercom or operator (same as --set workspace.profile=P)")
	fl.StringVar(&f.since, "since", "30d", `window counted: a span before the last event (30d, 12h), a date (2026-03-01), or "all"`)
	fl.StringVar(&f.format, "format", "table", "output: table or json")
	return cmd
}

// overrides reads --set and --profile, refusing unknown keys, bad values and
// a key given twice.
func (f *whatIfFlags) overrides() ([]simulate.Override, error) {
	specs := append([]string(nil), f.sets...)
	if f.profile != "" {
		if _, err := domain.ParseProfile(f.profile); err != nil {
			return nil, usageErr(fmt.Errorf("--profile %s: want intercom or operator", f.profile))
		}
		specs = append(specs, "workspace.profile="+f.profile)
	}
	seen := map[domain.SettingKey]bool{}
	var os []simulate.Override
	for i, s := range specs {
		flag := "--set " + s
		if i >= len(f.sets) {
			flag = "--profile " + f.profile
		}
		o, err := simulate.ParseOverride(s)
		if err != nil {
			return nil, usageErr(fmt.Errorf("%s: %w", flag, err))
		}
		if seen[o.Key] {
			return nil, usageErr(fmt.Errorf("%s: %s is set twice", flag, o.Key))
		}
		seen[o.Key] = true
		os = append(os, o)
	}
	return os, nil
}

// window turns --since into a start time: a span before the last event, a
// date, or the whole history.
func whatIfWindow(since string, last time.Time) (time.Time, error) {
	switch {
	case since == "all":
		return time.Time{}, nil
	case strings.Count(since, "-") == 2:
		if t, err := time.Parse(time.RFC3339, since); err == nil {
			return t, nil
		}
		if t, err := time.Parse("2006-01-02", since); err == nil {
			return t, nil
		}
	default:
		if d, err := simulate.ParseSpan(since); err == nil && d > 0 {
			return last.Add(-d), nil
		}
	}
	return time.Time{}, usageErr(fmt.Errorf(`--since %s: want a positive span (30d, 12h), a date (2026-03-01) or "all"`, since))
}

func runWhatIf(c *cobra.Command, g *globals, f *whatIfFlags) error {
	overrides, err := f.overrides()
	if err != nil {
		return err
	}
	if f.format != "table" && f.format != "json" {
		return usageErr(fmt.Errorf("--format %s: want table or json", f.format))
	}
	if _, err := whatIfWindow(f.since, time.Time{}); err != nil {
		return err
	}
	st, release, err := useStore(g, true) // or the store of the csat process owning it (owner.go)
	if err != nil {
		return usageErr(err)
	}
	defer release()
	since, err := whatIfWindow(f.since, st.Latest())
	if err != nil {
		return err
	}
	ctx, stop := interruptible(c, g)
	defer stop()
	var look func(decisions, events int)
	if stderr := c.ErrOrStderr(); g.stderrIsTerminal(stderr) {
		look = whatIfProgress(stderr, time.Now)
		defer fmt.Fprint(stderr, "\r\x1b[K") // the report follows on stdout
	}
	rep, err := simulate.WhatIfOfDecisions(simulate.Stoppable(ctx, st.WhatIfWindow, look), overrides, since)
	switch {
	case err != nil && ctx.Err() != nil:
		return failedErr(errWhatIfInterrupted)
	case err != nil:
		return failedErr(fmt.Errorf("whatif: %w", err))
	}
	if f.format == "json" {
		enc := json.NewEncoder(c.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(report.NewWhatIf(rep))
	}
	writeWhatIf(c.OutOrStdout(), rep)
	return nil
}

// errWhatIfInterrupted ends a what-if stopped by Ctrl-C.
var errWhatIfInterrupted = errors.New("whatif: interrupted; nothing was written (a what-if only reads)")

// interruptible is the command's context, ended by Ctrl-C or SIGTERM; in
// the process owning the store, by the caller's (owner.go).
func interruptible(c *cobra.Command, g *globals) (context.Context, context.CancelFunc) {
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if g.owned != nil {
		return ctx, func() {}
	}
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// whatIfProgress is the line a what-if keeps on a terminal while it reads
// the window and replays: at once, then at most ten times a second.
func whatIfProgress(stderr io.Writer, now func() time.Time) func(decisions, events int) {
	var last time.Time
	return func(decisions, events int) {
		if t := now(); decisions == 0 || t.Sub(last) >= 100*time.Millisecond {
			last = t
			fmt.Fprintf(stderr, "\rwhatif: %d decisions read, %d events replayed", decisions, events)
		}
	}
}

func writeWhatIf(w io.Writer, rep simulate.WhatIfReport) {
	var names []string
	for _, o := range rep.Overrides {
		names = append(names, o.String())
	}
	what := strings.Join(names, ", ")
	if what == "" {
		what = "nothing changed"
	}
	window := "the whole history"
	if !rep.Since.IsZero() {
		window = fmt.Sprintf("%s → %s", rep.Since.UTC().Format("2006-01-02 15:04"), rep.Until.UTC().Format("2006-01-02 15:04 MST"))
	}
	fmt.Fprintf(w, "what if: %s\nwindow:  %s (%d events replayed)\n", what, window, rep.Events)
	h := rep.Helpdesk
	// A store of imported Intercom data has no simulated conversations:
	// its table would be all zeros.
	if rep.Actual.Closes+rep.Actual.Asks > 0 || h.Conversations == 0 {
		if h.Conversations > 0 {
			fmt.Fprint(w, "\nConversations the rules decided: what they did beside these settings.")
		}
		fmt.Fprintf(w, "\n%-26s%8s%9s%8s\n", "", "actual", "what-if", "change")
		writeTally(w, rep.Actual, rep.WhatIf, true)
		fmt.Fprintf(w, "\n%d would now be sent, %d would now be skipped.\n", rep.NowSent, rep.NowSkipped)
	}
	if rep.Inapplicable > 0 {
		fmt.Fprintf(w, "%d later events could not happen under these settings (a follow-up of a rating never given, say) and were left out.\n", rep.Inapplicable)
	}
	if h.Conversations == 0 {
		return
	}
	fmt.Fprintf(w, "\nIntercom's conversations (%d): the rules decided under the settings as recorded and under these.\n", h.Conversations)
	fmt.Fprintln(w, "Both columns are decided, not observed: Intercom's own surveys and ratings are facts (whatif --against observed).")
	fmt.Fprintf(w, "%-26s%8s%9s%8s\n", "", "decided", "what-if", "change")
	writeTally(w, h.Current, h.WhatIf, false)
	fmt.Fprintf(w, "\n%d would now be sent, %d would now be skipped, by the rules.\n", h.NowSent, h.NowSkipped)
}

// writeTally writes the rows of a what-if table; ratings adds the rows of
// the ratings replayed.
func writeTally(w io.Writer, a, b simulate.SurveyTally, ratings bool) {
	row := func(label string, a, b int) {
		fmt.Fprintf(w, "%-26s%8d%9d%8s\n", label, a, b, signed(b-a))
	}
	row("closes and asks", a.Closes+a.Asks, b.Closes+b.Asks)
	row("surveys sent", a.Sent, b.Sent)
	row("surveys skipped", a.Skipped, b.Skipped)
	codes := simulate.ReasonCounts{}
	for c, n := range a.SkippedBy {
		codes[c] += n
	}
	for c, n := range b.SkippedBy {
		codes[c] += n
	}
	for _, c := range codes.Codes() {
		row("  "+c.String(), a.SkippedBy[c], b.SkippedBy[c])
	}
	if !ratings {
		return
	}
	row("first ratings", a.Ratings, b.Ratings)
	row("ratings refused", a.RefusedRatings, b.RefusedRatings)
	row("changes refused", a.RefusedChanges, b.RefusedChanges)
}

func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	if n == 0 {
		return "0"
	}
	return fmt.Sprint(n)
}
