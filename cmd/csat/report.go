package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
)

func init() { commands = append(commands, newReportCmd) }

// reportFlags are the report command's flags.
type reportFlags struct {
	period, from, to, format      string
	team, channel, audience, orig string
	agent, by                     string
	compare                       bool
}

func newReportCmd(g *globals) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report [--period P | --from DATE --to DATE] [--team T] [--channel C] [--audience A] [--origin O] [--compare] [--agent NAME --by week] [--format table|csv|json]",
		Short: "Print the leaderboard: team, teammates, bot agents and teams",
		Long: `Print the leaderboard of a period from the store's day counters: the team row
(teammates only), each teammate and each bot agent with their score (positive
÷ rated), ratings, positive/neutral/negative counts, surveys sent and response
rate (ratings ÷ surveys sent, at most 100%), then each team's row (its members' sum: a
teammate in two teams counts in both, once in the team row at the top).
Periods are whole UTC days ending today (the wall clock, as on the
dashboard and the API): today, 7d, 30d, 90d, this-week (from Monday),
this-month, last-month, all, or FROM..TO; --from and --to take
YYYY-MM-DD and both days are included. A rating counts in the day it was
first given. Agents show by their display name (an Intercom teammate's
name as Intercom gives it; the table cuts one over 40 cells in its middle,
CSV and JSON keep it whole). SURVEYS counts the surveys known to be sent:
the rules' sends in simulated conversations, and for imported ones each
rating and each request Intercom reports (conversation_rating.requested_at);
where Intercom reported a rating but not its request, the sends are unknown
and SURVEYS and RESPONSE say —.

--team narrows the report to one team's members (id or display name), in
any conversation; the conversations assigned to a team (Intercom's
team_assignee_id) are in csat export --team. --channel
(messenger, email), --audience (users, leads) and --origin (inbound,
outbound) to the conversations of that kind. --compare adds each row's
change against the period of the same length just before (▲/▼ score
points, ratings). --agent NAME prints that teammate's (or bot's) series
instead, a row per --by step (day, week from Monday, or month). Opens the
store read-only.`,
		Example: "  csat report --period 90d\n  csat report --from 2026-03-01 --to 2026-03-31 --format csv\n" +
			"  csat report --period this-month --team billing --channel email --compare\n  csat report --agent alice --by week --period 90d",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runReport(g, c, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.period, "period", "30d", "today, 7d, 30d, 90d, this-week, this-month, last-month, all or FROM..TO")
	fl.StringVar(&f.from, "from", "", "first day, YYYY-MM-DD (UTC)")
	fl.StringVar(&f.to, "to", "", "last day, YYYY-MM-DD (UTC), included")
	fl.StringVar(&f.format, "format", "table", "table, csv or json")
	fl.StringVar(&f.team, "team", "", "only this team (id or display name; csat teams list)")
	fl.StringVar(&f.channel, "channel", "", "only conversations of this channel: messenger or email")
	fl.StringVar(&f.audience, "audience", "", "only conversations of users or of leads")
	fl.StringVar(&f.orig, "origin", "", "only inbound or outbound conversations")
	fl.BoolVar(&f.compare, "compare", false, "add each row's change against the previous period of the same length")
	fl.StringVar(&f.agent, "agent", "", "print this teammate's (or workflow's, fin's) series instead of the leaderboard: its id or display name")
	fl.StringVar(&f.by, "by", "week", "the series' step with --agent: day, week or month")
	return cmd
}

// check validates the flags before the store is opened.
func (f reportFlags) check(c *cobra.Command) error {
	if f.format != "table" && f.format != "csv" && f.format != "json" {
		return fmt.Errorf("--format %q: want table, csv or json", f.format)
	}
	if (f.from != "" || f.to != "") && c.Flags().Changed("period") {
		return errors.New("--period and --from/--to cannot be used together")
	}
	if f.agent == "" && c.Flags().Changed("by") {
		return errors.New("--by needs --agent NAME: it is the step of one agent's series")
	}
	if f.agent != "" && (f.team != "" || f.compare) {
		return errors.New("--agent prints one agent's series: --team and --compare are for the leaderboard")
	}
	return nil
}

// query reads the flags into a report query at the store clock now.
func (f reportFlags) query(now time.Time) (report.Query, error) {
	var q report.Query
	var err error
	if q.Filter, err = domain.ParseFilter(f.channel, f.audience, f.orig); err != nil {
		return q, err
	}
	q.Team, q.Compare = f.team, f.compare
	if f.from == "" && f.to == "" {
		if q.Period, err = store.ParsePeriod(f.period, now); err != nil {
			return q, fmt.Errorf("--period: %w", err)
		}
		return q, nil
	}
	if f.from != "" {
		if q.Period.From, err = time.Parse(time.DateOnly, f.from); err != nil {
			return q, fmt.Errorf("--from %q: want a date like 2026-03-01", f.from)
		}
	}
	if f.to != "" {
		to, err := time.Parse(time.DateOnly, f.to)
		if err != nil {
			return q, fmt.Errorf("--to %q: want a date like 2026-03-31", f.to)
		}
		if f.from != "" && to.Before(q.Period.From) {
			return q, fmt.Errorf("--to %s is before --from %s", f.to, f.from)
		}
		q.Period.To = to.AddDate(0, 0, 1)
	}
	return q, nil
}

func runReport(g *globals, c *cobra.Command, f reportFlags) error {
	if err := f.check(c); err != nil {
		return usageErr(err)
	}
	if _, err := f.query(store.Now()); err != nil {
		return usageErr(err)
	}
	var by domain.Bucket
	if f.agent != "" {
		var err error
		if by, err = domain.ParseBucket(f.by); err != nil {
			return usageErr(fmt.Errorf("--by: %w", err))
		}
	}
	s, err := openCountersReader(g) // the store's counters, or the csat process that owns it (owner.go)
	if err != nil {
		return usageErr(err)
	}
	defer s.Close()
	q, _ := f.query(store.Now())
	out := c.OutOrStdout()
	if f.agent != "" {
		agent, err := findAgent(s, f.agent)
		if err != nil {
			return err
		}
		series, err := s.Series(agent, by, q)
		if err != nil {
			return failedErr(err)
		}
		return writeSeries(out, series, f.format)
	}
	lb, err := s.Report(q)
	switch {
	case errors.Is(err, report.ErrUnknownTeam):
		return usageErr(err)
	case err != nil:
		return failedErr(err)
	}
	switch f.format {
	case "csv":
		return writeReportCSV(out, lb)
	case "json":
		return writeReportJSON(out, lb)
	}
	return writeReportTable(out, lb)
}

func writeReportTable(w io.Writer, lb report.Leaderboard) error {
	unit := "days"
	if lb.Days == 1 {
		unit = "day"
	}
	fmt.Fprintf(w, "Leaderboard %s to %s (%d %s, UTC), happiness target %s\n", lb.From, lb.To, lb.Days, unit, lb.Target)
	if scope := reportScope(lb); scope != "" {
		fmt.Fprintln(w, scope)
	}
	fmt.Fprintln(w)
	head := []string{"AGENT", "KIND", "SCORE", "TARGET", "RATINGS", "POSITIVE", "NEUTRAL", "NEGATIVE", "SURVEYS", "RESPONSE"}
	if lb.Previous != nil {
		head = append(head, "Δ SCORE", "Δ RATINGS")
	}
	rows := [][]string{head}
	for _, r := range reportRows(lb) {
		mark := ""
		if r.MeetsTarget {
			mark = "✓"
		}
		row := []string{safetext.CutMiddle(safetext.Line(r.Agent), reportNameWidth), r.Kind, r.Score, mark, strconv.Itoa(r.Ratings), strconv.Itoa(r.Positive),
			strconv.Itoa(r.Neutral), strconv.Itoa(r.Negative), domain.FormatCount(r.Surveys, r.SurveysKnown), r.ResponseRate}
		if r.Change != nil {
			row = append(row, r.Change.Score, fmt.Sprintf("%+d", r.Change.Ratings))
		}
		rows = append(rows, row)
	}
	return writeTable(w, rows)
}

// reportScope says what a narrowed or compared report is of, "" for the
// whole workspace without comparison.
func reportScope(lb report.Leaderboard) string {
	var parts []string
	if lb.ForTeam != "" && len(lb.Teams) == 1 {
		parts = append(parts, "team "+safetext.Line(lb.Teams[0].Agent)+" ("+lb.ForTeam+")")
	}
	for _, f := range [][2]string{{"channel", lb.Filter.Channel}, {"audience", lb.Filter.Audience}, {"origin", lb.Filter.Origin}} {
		if f[1] != "all" {
			parts = append(parts, f[0]+" "+f[1])
		}
	}
	if lb.Previous != nil {
		parts = append(parts, fmt.Sprintf("compared with %s to %s", lb.Previous.From, lb.Previous.To))
	}
	return strings.Join(parts, ", ")
}

// reportRows are the leaderboard's rows, then the team rows (kind team,
// agent the team's display name) unless the report is of one team, whose
// row is the first.
func reportRows(lb report.Leaderboard) []report.AgentRow {
	rows := lb.Rows()
	if lb.ForTeam == "" {
		for _, t := range lb.Teams {
			rows = append(rows, t.AgentRow)
		}
	}
	return rows
}

func writeReportCSV(w io.Writer, lb report.Leaderboard) error {
	cw := csv.NewWriter(w)
	head := []string{"agent", "kind", "from", "to", "score", "ratings", "positive", "neutral", "negative", "surveys", "response_rate", "meets_target"}
	if lb.Previous != nil {
		head = append(head, "score_change", "ratings_change")
	}
	cw.Write(head)
	for _, r := range reportRows(lb) {
		line := []string{safetext.Cell(r.Agent), r.Kind, lb.From, lb.To, r.Score, strconv.Itoa(r.Ratings), strconv.Itoa(r.Positive),
			strconv.Itoa(r.Neutral), strconv.Itoa(r.Negative), domain.FormatCount(r.Surveys, r.SurveysKnown), r.ResponseRate, strconv.FormatBool(r.MeetsTarget)}
		if r.Change != nil {
			line = append(line, r.Change.Score, strconv.Itoa(r.Change.Ratings))
		}
		cw.Write(line)
	}
	cw.Flush()
	return cw.Error()
}

func writeReportJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
