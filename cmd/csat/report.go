package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
)

func init() { commands = append(commands, newReportCmd) }

func newReportCmd(g *globals) *cobra.Command {
	var period, from, to, format string
	cmd := &cobra.Command{
		Use:   "report [--period today|7d|30d|90d|all] [--from DATE --to DATE] [--format table|csv|json]",
		Short: "Print the leaderboard: team, teammates and bot agents",
		Long: `Print the leaderboard of a period from the store's day counters: the team row
(teammates only), each teammate and each bot agent with their score (positive
÷ rated), ratings, positive/neutral/negative counts, surveys sent and response
rate (ratings ÷ surveys sent). Periods are whole UTC days ending with the day
of the store clock; --from and --to take YYYY-MM-DD and both days are
included. A rating counts in the day it was first given. Agents show by
their display name (an Intercom teammate's name as Intercom gives it).
SURVEYS counts the surveys known to be sent: the rules' sends in simulated
conversations, and for imported ones each rating and each request Intercom
reports (conversation_rating.requested_at); where Intercom reported a rating
but not its request, the sends are unknown and SURVEYS and RESPONSE say —.
Opens the store read-only.`,
		Example: "  csat report --period 90d\n  csat report --from 2026-03-01 --to 2026-03-31 --format csv",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return usageErr(fmt.Errorf("--format %q: want table, csv or json", format))
			}
			if (from != "" || to != "") && c.Flags().Changed("period") {
				return usageErr(errors.New("--period and --from/--to cannot be used together"))
			}
			var fromDay, toDay time.Time
			var err error
			if from != "" {
				if fromDay, err = time.Parse(time.DateOnly, from); err != nil {
					return usageErr(fmt.Errorf("--from %q: want a date like 2026-03-01", from))
				}
			}
			if to != "" {
				if toDay, err = time.Parse(time.DateOnly, to); err != nil {
					return usageErr(fmt.Errorf("--to %q: want a date like 2026-03-31", to))
				}
				if from != "" && toDay.Before(fromDay) {
					return usageErr(fmt.Errorf("--to %s is before --from %s", to, from))
				}
			}
			if from == "" && to == "" {
				if _, err := store.ParsePeriod(period, time.Time{}); err != nil {
					return usageErr(fmt.Errorf("--period: %w", err))
				}
			}
			s, err := openReader(g) // the store, or the csat serve that owns it (remote.go)
			if err != nil {
				return usageErr(err)
			}
			defer s.Close()
			var p store.Period
			if from == "" && to == "" {
				p, _ = store.ParsePeriod(period, s.Now())
			} else {
				p.From = fromDay // zero: from the first event
				if to != "" {
					p.To = toDay.AddDate(0, 0, 1)
				}
			}
			lb, err := s.Leaderboard(p)
			if err != nil {
				return failedErr(err)
			}
			target := s.Settings().TargetPermille
			switch format {
			case "csv":
				return writeReportCSV(c.OutOrStdout(), lb, target)
			case "json":
				return writeReportJSON(c.OutOrStdout(), lb, target)
			}
			return writeReportTable(c.OutOrStdout(), lb, target)
		},
	}
	cmd.Flags().StringVar(&period, "period", "30d", "today, 7d, 30d, 90d or all")
	cmd.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD (UTC)")
	cmd.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD (UTC), included")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	return cmd
}

// reportRow is one line of the report in every format.
type reportRow struct {
	Agent        string   `json:"agent"`    // the display name
	AgentID      string   `json:"agent_id"` // the stable key: a script's name, an Intercom id
	Kind         string   `json:"kind"`     // team, teammate or bot
	Score        string   `json:"score"`
	ScoreValue   *float64 `json:"score_value"`
	Ratings      int      `json:"ratings"`
	Positive     int      `json:"positive"`
	Neutral      int      `json:"neutral"`
	Negative     int      `json:"negative"`
	Surveys      int      `json:"surveys"`
	SurveysKnown bool     `json:"surveys_known"` // false: a helpdesk reported answers, not all its sends
	ResponseRate string   `json:"response_rate"`
	MeetsTarget  bool     `json:"meets_target"`
}

func newReportRow(a domain.Actor, display, kind string, c domain.Counts, target int) reportRow {
	score, ok := c.Score()
	r := reportRow{
		Agent: domain.DisplayName(a, display), AgentID: a.Name, Kind: kind, Score: c.ScorePercent(0),
		Ratings: c.Rated(), Positive: c.Positive(), Neutral: c.Neutral(), Negative: c.Negative(),
		Surveys: c.Surveys, ResponseRate: c.ResponsePercent(0), MeetsTarget: c.MeetsTarget(target),
	}
	_, r.SurveysKnown = c.SurveysSent()
	if ok {
		r.ScoreValue = &score
	}
	return r
}

func reportRows(lb store.Leaderboard, target int) []reportRow {
	rows := []reportRow{newReportRow(domain.Actor{Name: "team"}, "", "team", lb.Team, target)}
	for _, a := range lb.Teammates {
		rows = append(rows, newReportRow(a.Agent, a.Display, "teammate", a.Counts, target))
	}
	for _, a := range lb.Bots {
		rows = append(rows, newReportRow(a.Agent, a.Display, "bot", a.Counts, target))
	}
	return rows
}

// lastDay is the period's last whole day (To is exclusive).
func lastDay(p store.Period) string {
	if !p.To.After(p.From) {
		return p.From.Format(time.DateOnly)
	}
	return p.To.AddDate(0, 0, -1).Format(time.DateOnly)
}

func writeReportTable(w io.Writer, lb store.Leaderboard, target int) error {
	days := int(lb.Period.To.Sub(lb.Period.From).Hours() / 24)
	unit := "days"
	if days == 1 {
		unit = "day"
	}
	fmt.Fprintf(w, "Leaderboard %s to %s (%d %s, UTC), happiness target %s\n\n",
		lb.Period.From.Format(time.DateOnly), lastDay(lb.Period), days, unit, domain.FormatPermille(target))
	rows := [][]string{{"AGENT", "KIND", "SCORE", "TARGET", "RATINGS", "POSITIVE", "NEUTRAL", "NEGATIVE", "SURVEYS", "RESPONSE"}}
	for _, r := range reportRows(lb, target) {
		mark := ""
		if r.MeetsTarget {
			mark = "✓"
		}
		rows = append(rows, []string{safetext.Line(r.Agent), r.Kind, r.Score, mark, strconv.Itoa(r.Ratings), strconv.Itoa(r.Positive),
			strconv.Itoa(r.Neutral), strconv.Itoa(r.Negative), domain.FormatCount(r.Surveys, r.SurveysKnown), r.ResponseRate})
	}
	return writeTable(w, rows)
}

func writeReportCSV(w io.Writer, lb store.Leaderboard, target int) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"agent", "kind", "from", "to", "score", "ratings", "positive", "neutral", "negative", "surveys", "response_rate", "meets_target"})
	from, to := lb.Period.From.Format(time.DateOnly), lastDay(lb.Period)
	for _, r := range reportRows(lb, target) {
		cw.Write([]string{safetext.Cell(r.Agent), r.Kind, from, to, r.Score, strconv.Itoa(r.Ratings), strconv.Itoa(r.Positive),
			strconv.Itoa(r.Neutral), strconv.Itoa(r.Negative), domain.FormatCount(r.Surveys, r.SurveysKnown), r.ResponseRate, strconv.FormatBool(r.MeetsTarget)})
	}
	cw.Flush()
	return cw.Error()
}

func writeReportJSON(w io.Writer, lb store.Leaderboard, target int) error {
	rows := reportRows(lb, target)
	out := struct {
		From      string      `json:"from"`
		To        string      `json:"to"`
		Target    string      `json:"target"`
		Team      reportRow   `json:"team"`
		Teammates []reportRow `json:"teammates"`
		Bots      []reportRow `json:"bots"`
	}{From: lb.Period.From.Format(time.DateOnly), To: lastDay(lb.Period), Target: domain.FormatPermille(target),
		Team: rows[0], Teammates: rows[1 : 1+len(lb.Teammates)], Bots: rows[1+len(lb.Teammates):]}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
