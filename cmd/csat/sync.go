package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	"github.com/spf13/cobra"

	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/serve"
)

func init() { commands = append(commands, newSyncCmd) }

// apiURLEnv overrides Intercom's API host, for tests against a server on
// this machine; intercom.CheckBaseURL refuses any other host.
const apiURLEnv = "CSAT_INTERCOM_API_URL"

type syncFlags struct {
	tokenFile, since, region string
	prefix                   string // of the flags' names: "intercom-" in serve
}

func newSyncCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Pull data from a helpdesk's API into the store",
		Args:  cobra.NoArgs,
	}
	var f syncFlags
	ic := &cobra.Command{
		Use:   "intercom --token-file FILE [--since DATE] [--region us|eu|au]",
		Short: "Pull conversations from Intercom's REST API, continuing where the last sync stopped",
		Long: `Pull the conversations Intercom updated since the last sync (the first time:
since --since, or all of them) through the REST API: the conversation
search on updated_at, 150 a page, then each conversation with its parts,
and the admins and teams for names. They are imported as 'csat import
intercom' does; reading one twice changes nothing.

The access token is read from --token-file (its first line) and sent only
to Intercom's API host of --region; it is never logged or stored. Rate
limits are honoured (a 429 waits for X-RateLimit-Reset), server errors are
retried. The position is kept in the store after each page: an interrupted
sync (Ctrl-C) keeps what it read, and the next run continues from there.

Exit status: 0 when done, 1 when some conversations could not be read or
the sync was interrupted, 2 for bad flags, an unreadable token file or a
token Intercom refuses.`,
		Example: "  csat sync intercom --token-file ~/.config/csat/intercom-token --since 2025-01-01 --region eu",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runSync(c, g, f)
		},
	}
	ic.Flags().StringVar(&f.tokenFile, "token-file", "", "file holding the Intercom access token (required)")
	ic.Flags().StringVar(&f.since, "since", "", "start from conversations updated on or after this day (YYYY-MM-DD) or time (RFC 3339)")
	ic.Flags().StringVar(&f.region, "region", "us", "the workspace's data-hosting region: us, eu or au")
	cmd.AddCommand(ic)
	return cmd
}

// options checks the flags and reads the token.
func (f syncFlags) options(g *globals) (intercom.SyncOptions, error) {
	var opt intercom.SyncOptions
	base, ok := intercom.Regions[f.region]
	if !ok {
		return opt, fmt.Errorf("--%sregion %q: want us, eu or au", f.prefix, f.region)
	}
	if env := g.getenv(apiURLEnv); env != "" {
		base = env
	}
	if _, err := intercom.CheckBaseURL(base); err != nil {
		return opt, fmt.Errorf("$%s: %w", apiURLEnv, err)
	}
	if f.since != "" {
		t, err := time.Parse(time.DateOnly, f.since)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, f.since); err != nil {
				return opt, fmt.Errorf("--since %q: want a day (2025-01-31) or an RFC 3339 time", f.since)
			}
		}
		opt.Since = t.UTC()
	}
	if f.tokenFile == "" {
		return opt, fmt.Errorf("--%stoken-file FILE is required: a file holding the Intercom access token", f.prefix)
	}
	token, err := serve.ReadSecret(g.abs(f.tokenFile))
	if err != nil {
		return opt, fmt.Errorf("--%stoken-file: %w", f.prefix, err)
	}
	opt.BaseURL, opt.Token = base, token
	return opt, nil
}

func runSync(c *cobra.Command, g *globals, f syncFlags) error {
	opt, err := f.options(g)
	if err != nil {
		return usageErr(err)
	}
	st, release, err := useBulkStore(g) // or the store of the csat process owning it (owner.go)
	if err != nil {
		return usageErr(err)
	}
	defer release()
	in, err := ingesterFor(g, st)
	if err != nil {
		return failedErr(err)
	}
	ctx := c.Context()
	if g.owned == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	stderr := c.ErrOrStderr()
	opt.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, "\rsync: "+format+"\n", args...) }
	if g.stderrIsTerminal(stderr) {
		opt.Progress = syncProgressBar(stderr, time.Now())
	}
	rep, err := intercom.Sync(ctx, in, opt)
	for _, m := range rep.Malformed {
		fmt.Fprintf(stderr, "%s: %s\n", m.What, m.Reason)
	}
	switch {
	case errors.Is(err, intercom.ErrUnauthorized):
		return usageErr(fmt.Errorf("sync: %w (check --token-file and --region)", err))
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		printSyncSummary(c.OutOrStdout(), rep)
		return failedErr(fmt.Errorf("sync: interrupted after %d pages; what was read is kept, run it again to continue", rep.Pages))
	case err != nil:
		printSyncSummary(c.OutOrStdout(), rep)
		return failedErr(fmt.Errorf("sync: %w; what was read is kept, run it again to continue", err))
	}
	printSyncSummary(c.OutOrStdout(), rep)
	if len(rep.Malformed) > 0 {
		return failedErr(fmt.Errorf("sync: %d conversations could not be read", len(rep.Malformed)))
	}
	return nil
}

func printSyncSummary(w io.Writer, rep intercom.SyncReport) {
	from := "the beginning"
	if !rep.Since.IsZero() && rep.Since.Unix() > 0 {
		from = rep.Since.Format(time.RFC3339)
	}
	resumed := ""
	if rep.Resumed {
		resumed = ", continuing the interrupted run"
	}
	fmt.Fprintf(w, "synced %d conversations updated since %s (%d pages%s; %d admins, %d teams): %d events written, %d already imported, %d skipped\n",
		rep.Conversations, from, rep.Pages, resumed, rep.Admins, rep.Teams, rep.Applied, rep.Already, len(rep.Skipped))
	if rep.Retries > 0 {
		fmt.Fprintf(w, "  %d requests retried (rate limit or server errors)\n", rep.Retries)
	}
	printSkipped(w, rep.Skipped)
}

// syncProgressBar draws the conversations read of the total, and an
// estimate of the time left, on stderr.
func syncProgressBar(stderr io.Writer, start time.Time) func(intercom.SyncProgress) {
	bar := progress.New(progress.WithDefaultGradient(), progress.WithWidth(40))
	return func(p intercom.SyncProgress) {
		if p.Total <= 0 {
			return
		}
		eta := ""
		if elapsed := time.Since(start); p.Done < p.Total && elapsed > 0 && p.Done > 0 {
			left := time.Duration(float64(elapsed) * float64(p.Total-p.Done) / float64(p.Done))
			eta = " · about " + left.Round(time.Second).String() + " left"
		}
		line := fmt.Sprintf("\r%s %d/%d conversations, page %d%s", bar.ViewAs(float64(p.Done)/float64(p.Total)), p.Done, p.Total, p.Pages, eta)
		fmt.Fprint(stderr, line+strings.Repeat(" ", 8))
		if p.Done >= p.Total {
			fmt.Fprintln(stderr)
		}
	}
}

// serveSync is `csat serve --sync-every`: the same sync, run by the server
// at an interval, beside the webhooks.
type serveSync struct {
	every time.Duration
	f     syncFlags
}

func (s *serveSync) flags(cmd *cobra.Command) {
	s.f.prefix = "intercom-"
	cmd.Flags().DurationVar(&s.every, "sync-every", 0, "also pull from Intercom's REST API at this interval (10m), as 'csat sync intercom' does")
	cmd.Flags().StringVar(&s.f.tokenFile, "intercom-token-file", "", "with --sync-every: file holding the Intercom access token")
	cmd.Flags().StringVar(&s.f.region, "intercom-region", "us", "with --sync-every: the workspace's region, us, eu or au")
}

// options checks the flags and the token file once, at start.
func (s *serveSync) options(g *globals) (intercom.SyncOptions, error) {
	if s.every == 0 {
		if s.f.tokenFile != "" {
			return intercom.SyncOptions{}, errors.New("--intercom-token-file needs --sync-every")
		}
		return intercom.SyncOptions{}, nil
	}
	if s.every < time.Minute {
		return intercom.SyncOptions{}, fmt.Errorf("--sync-every %v: at least 1m", s.every)
	}
	if s.f.tokenFile == "" {
		return intercom.SyncOptions{}, errors.New("--sync-every needs --intercom-token-file FILE")
	}
	return s.f.options(g)
}

// start syncs now and then every s.every until ctx ends; stop waits for a
// run under way to stop at its next request.
func (s *serveSync) start(ctx context.Context, in *intercom.Ingester, opt intercom.SyncOptions, logger *log.Logger) (stop func()) {
	if s.every == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	opt.Logf = func(format string, args ...any) { logger.Printf("sync: "+format, args...) }
	go func() {
		defer close(done)
		tick := time.NewTicker(s.every)
		defer tick.Stop()
		for {
			s.once(ctx, in, opt, logger)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

func (s *serveSync) once(ctx context.Context, in *intercom.Ingester, opt intercom.SyncOptions, logger *log.Logger) {
	// The token is read again each time, so a rotated token needs no restart.
	if tok, err := serve.ReadSecret(s.f.tokenFile); err == nil {
		opt.Token = tok
	}
	rep, err := intercom.Sync(ctx, in, opt)
	switch {
	case ctx.Err() != nil:
		logger.Printf("sync: stopped after %d pages; the next run continues", rep.Pages)
	case err != nil:
		logger.Printf("sync: %v", err)
	default:
		logger.Printf("sync: %d conversations (%d pages): %d events written, %d already imported, %d skipped, %d unreadable",
			rep.Conversations, rep.Pages, rep.Applied, rep.Already, len(rep.Skipped), len(rep.Malformed))
	}
}
