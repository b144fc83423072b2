package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/x/term"
	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/simulate/storeload"
	"github.com/csat-app/csat/store"
)

func init() { simulateSubcommands = append(simulateSubcommands, newSimulateLoadCmd) }

type loadFlags struct {
	cfg    simulate.LoadConfig
	end    string
	live   float64
	dryRun bool
}

func newSimulateLoadCmd(g *globals) *cobra.Command {
	f := &loadFlags{}
	cmd := &cobra.Command{
		Use:   "load [--teammates N] [--conversations M] [--days D] [--seed S] [--end TIME] [--live EVENTS_PER_S]",
		Short: "Fill the store with realistic synthetic traffic, through the rules",
		Long: `Generate a team's history of conversations and write it through the CSAT rules
into the store: a team of varied skill, inbound, direct and Workflow
conversations, users and leads, email and Messenger, snoozes, reopenings,
group chats, short and stale conversations that get no survey, ratings,
changed ratings, comments and follow-ups. The rules decide every survey.

The same flags and seed give the same data. The history spans --days and ends
at --end (default: now, to the minute). With --live, it then keeps producing
traffic at that rate, with real timestamps, until interrupted (Ctrl-C).
Interrupting commits the batch in flight whole, or none of it.

A load records its flags and progress with every batch it commits, so an
interrupted one (Ctrl-C, a kill, a crash) is continued by running the same
command again: it draws the committed part of the history again without
writing it, then goes on, and the store ends as one uninterrupted load
leaves it. Without --end, a continuation takes the end the load recorded;
--batch and --live may differ. A load is continued only on the store it
began empty, with nothing written since but erasures (csat forget); a
load with other flags on a store holding an unfinished one is refused,
naming what differs (load it into another --data-dir). A fresh load is
any other: into an empty store, or beside a finished history with another
--seed.`,
		Example: "  csat simulate load --teammates 12 --conversations 3000 --days 90 --seed 1\n  csat simulate load --conversations 0 --live 5",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runLoad(c, g, f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.cfg.Teammates, "teammates", 12, "teammates in the team")
	fl.IntVar(&f.cfg.Conversations, "conversations", 3000, "conversations in the history")
	fl.IntVar(&f.cfg.Days, "days", 90, "days the history spans, ending at --end")
	fl.Int64Var(&f.cfg.Seed, "seed", 1, "random seed: the same seed gives the same data")
	fl.StringVar(&f.end, "end", "", "when the history ends: RFC 3339 or YYYY-MM-DD (default now, to the minute)")
	fl.Float64Var(&f.live, "live", 0, "after the history, keep producing this many events per second until interrupted")
	fl.IntVar(&f.cfg.BatchSize, "batch", simulate.DefaultBatchSize, "events committed per transaction")
	fl.BoolVar(&f.dryRun, "dry-run", false, "generate into memory and print the summary; write nothing")
	return cmd
}

// check validates every flag before anything is opened, naming the flag.
func (f *loadFlags) check(now time.Time) error {
	bad := func(flag string, v any, want string) error {
		return usageErr(fmt.Errorf("--%s %v: want %s", flag, v, want))
	}
	switch {
	case f.cfg.Teammates < 1 || f.cfg.Teammates > simulate.MaxLoadTeammates:
		return bad("teammates", f.cfg.Teammates, fmt.Sprintf("a whole number from 1 to %d", simulate.MaxLoadTeammates))
	case f.cfg.Conversations < 0 || f.cfg.Conversations > simulate.MaxLoadConversations:
		return bad("conversations", f.cfg.Conversations, fmt.Sprintf("a whole number from 0 to %d", simulate.MaxLoadConversations))
	case f.cfg.Days < 1 || f.cfg.Days > simulate.MaxLoadDays:
		return bad("days", f.cfg.Days, fmt.Sprintf("a whole number from 1 to %d", simulate.MaxLoadDays))
	case f.cfg.BatchSize < 1:
		return bad("batch", f.cfg.BatchSize, "1 or more")
	case f.live < 0 || f.live > 1e6 || f.live != f.live:
		return bad("live", f.live, "events per second, more than 0 and at most 1000000")
	}
	f.cfg.End = now.UTC().Truncate(time.Minute)
	if f.end != "" {
		end, err := parseLoadEnd(f.end)
		if err != nil {
			return bad("end", f.end, "a time like 2026-03-02T09:00:00Z or a date like 2026-03-02")
		}
		f.cfg.End = end
	}
	return f.storable()
}

// storable refuses a history, bound for a store, with a time the store
// cannot hold: the flags say so before a batch is written.
func (f *loadFlags) storable() error {
	if f.dryRun {
		return nil // a memory holds any time
	}
	for _, t := range []time.Time{f.cfg.Begin(), f.cfg.End} {
		if err := store.CheckTime(t); err != nil {
			end := f.cfg.End.Format(time.RFC3339)
			return usageErr(fmt.Errorf("--end %s --days %d: the history from %s to %s: %w", end, f.cfg.Days, f.cfg.Begin().Format(time.RFC3339), end, err))
		}
	}
	return nil
}

func parseLoadEnd(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse("2006-01-02", s)
}

func runLoad(c *cobra.Command, g *globals, f *loadFlags) error {
	if err := f.check(time.Now()); err != nil {
		return err
	}
	softMemoryLimit(loadStoreBudget)
	f.cfg.Holding = holdGenerator
	stdout, stderr := c.OutOrStdout(), c.ErrOrStderr()
	var dst simulate.Loader
	closeDst := func() error { return nil }
	where := "memory (--dry-run)"
	if f.dryRun {
		dst = simulate.OneByOne(simulate.NewMemory())
	} else {
		dir, err := store.DefaultDir(g.dataDir)
		if err != nil {
			return usageErr(err)
		}
		st, err := store.Open(noticeUpgrade(store.Options{Dir: dir, Bulk: true, CompactOnClose: true}))
		if err != nil {
			return usageErr(busyHint(dir, err))
		}
		dst, closeDst, where = storeload.Destination{Store: st}, st.Close, dir
		if f.end == "" {
			end, ok, err := recordedEnd(st)
			if err != nil {
				st.Close()
				return failedErr(fmt.Errorf("reading the last load's record: %w", err))
			}
			if ok {
				f.cfg.End = end
			}
		}
	}
	err := loadInto(c.Context(), dst, f, where, stdout, stderr)
	if cerr := closeDst(); err == nil && cerr != nil {
		err = failedErr(fmt.Errorf("closing the store: %w", cerr))
	}
	return err
}

func loadInto(parent context.Context, dst simulate.Loader, f *loadFlags, where string, stdout, stderr io.Writer) error {
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Live traffic alone (--conversations 0 --live R) joins whatever the
	// store holds. A history of any dates loads beside it too: conversations
	// share no clock.
	if f.cfg.Conversations == 0 && f.live > 0 {
		return loadLive(ctx, dst, f, stdout)
	}
	started := time.Now()
	tenths := newTenthRates()
	tenths.from = simulate.ContinuesAfter(dst, f.cfg)
	sum, err := simulate.Load(ctx, dst, f.cfg, tenths.observe(progressBar(stderr)))
	switch {
	case errors.Is(err, context.Canceled):
		writeLoadSummary(stdout, f.cfg, sum, time.Since(started), where, tenths.String())
		return failedErr(fmt.Errorf("interrupted: %d events committed in whole batches; the rest was not written (the same command continues it)", sum.Events))
	case errors.Is(err, simulate.ErrLoadRefused):
		return usageErr(fmt.Errorf("load: %w", explainUnfinished(err, where)))
	case err != nil:
		return failedErr(fmt.Errorf("load: %w", err))
	}
	writeLoadSummary(stdout, f.cfg, sum, time.Since(started), where, tenths.String())
	if f.live == 0 {
		return nil
	}
	return loadLive(ctx, dst, f, stdout)
}

func loadLive(ctx context.Context, dst simulate.Loader, f *loadFlags, stdout io.Writer) error {
	fmt.Fprintf(stdout, "live: %g events/s until interrupted (Ctrl-C)\n", f.live)
	counted := &countingLoader{Loader: dst}
	if err := simulate.LoadLive(ctx, counted, f.cfg, f.live, time.Now); err != nil {
		return failedErr(fmt.Errorf("live: %w", err))
	}
	fmt.Fprintf(stdout, "live: %d events written\n", counted.events)
	return nil
}

// countingLoader counts the events committed by the live trickle.
type countingLoader struct {
	simulate.Loader
	events int
}

func (l *countingLoader) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	outs, err := l.Loader.ApplyBatch(evs)
	if err == nil {
		l.events += len(evs)
	}
	return outs, err
}

// progressBar draws a static progress bar on stderr when it is a terminal,
// and nothing otherwise, so that logs and pipes stay clean.
func progressBar(stderr io.Writer) func(done, total int) {
	tty, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(tty.Fd()) {
		return nil
	}
	bar := progress.New(progress.WithDefaultGradient(), progress.WithWidth(40))
	return func(done, total int) {
		if total <= 0 {
			return
		}
		approx := "~"
		if done == total {
			approx = ""
		}
		fmt.Fprintf(stderr, "\r%s %d/%s%d events ", bar.ViewAs(float64(done)/float64(total)), done, approx, total)
		if done == total {
			fmt.Fprintln(stderr)
		}
	}
}

// writeLoadSummary prints what the load made. A continued load counts
// the whole history, the part drawn again too; its rate is of the events
// written in this run, after the drawing.
func writeLoadSummary(w io.Writer, cfg simulate.LoadConfig, sum simulate.LoadSummary, took time.Duration, where, byTenth string) {
	rate := ""
	if s := (took - sum.SkipTook).Seconds(); s > 0 {
		rate = fmt.Sprintf(" (%.0f events/s%s)", float64(sum.Events-sum.Continued)/s, byTenth)
	}
	fmt.Fprint(w, continuedLine(sum))
	fmt.Fprintf(w, "loaded %d conversations, %d events into %s in %v%s\n", sum.Conversations, sum.Events, where, took.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "history: %d teammates, %d days, %s → %s, seed %d\n", cfg.Teammates, cfg.Days,
		cfg.Begin().Format("2006-01-02 15:04"), cfg.End.Format("2006-01-02 15:04 MST"), cfg.Seed)
	fmt.Fprintf(w, "\nsurveys: %d closes, %d Workflow asks\n", sum.Closes, sum.Asks)
	countLine(w, "  sent", sum.Sent)
	countLine(w, "  skipped", sum.SkippedSurveys)
	for _, code := range sum.Skipped.Codes() {
		countLine(w, "    "+code.String(), sum.Skipped[code])
	}
	rated := 0
	for v := 1; v <= 5; v++ {
		rated += sum.RatingsByFace[v]
	}
	countLine(w, "ratings", rated)
	for v := 5; v >= 1; v-- {
		countLine(w, "  "+domain.Face(v)+" "+domain.FaceName(v), sum.RatingsByFace[v])
	}
	countLine(w, "  changed", sum.Changed)
	countLine(w, "  comments", sum.Comments)
	countLine(w, "  follow-up steps", sum.FollowUps)
	if len(sum.Refused.Codes()) > 0 {
		var rs []string
		for _, code := range sum.Refused.Codes() {
			rs = append(rs, fmt.Sprintf("%s %d", code, sum.Refused[code]))
		}
		fmt.Fprintf(w, "refused ratings and comments: %s\n", strings.Join(rs, ", "))
	}
}

// countLine prints a label and a number in columns; emoji are two cells
// wide, so the padding counts cells, not runes.
func countLine(w io.Writer, label string, n int) {
	fmt.Fprintf(w, "%s%s%8d\n", label, strings.Repeat(" ", max(1, 26-runewidth.StringWidth(label))), n)
}
