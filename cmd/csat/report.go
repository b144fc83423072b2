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
	"github.com/csat-app/csat/report"
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
rate (ratings ÷ surveys sent). Periods are whole UTC days ending today (the
wall clock, as on the dashboard and the API); --from and --to take
YYYY-MM-DD and both days are included. A rating counts in the day it was
first given. Agents show by their display name (an Intercom teammate's name
as Intercom gives it). SURVEYS counts the surveys known to be sent: the
rules' sends in simulated conversations, and for imported ones each rating
and each request Intercom reports (conversation_rating.requested_at); where
Intercom reported a rating but not its request, the sends are unknown and
SURVEYS and RESPONSE say —. Opens the store read-only.`,
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
				p, _ = store.ParsePeriod(period, store.Now())
			} else {
				p.From = fromDay // zero: from the first event
				if to != "" {
					p.To = toDay.AddDate(0, 0, 1)
				}
			}
			lb, err := s.Report(p)
			if err != nil {
				return failedErr(err)
			}
			switch format {
			case "csv":
				return writeReportCSV(c.OutOrStdout(), lb)
			case "json":
				return writeReportJSON(c.OutOrStdout(), lb)
			}
			return writeReportTable(c.OutOrStdout(), lb)
		},
	}
	cmd.Flags().StringVar(&period, "period", "30d", "today, 7d, 30d, 90d or all")
	cmd.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD (UTC)")
	cmd.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD (UTC), included")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	return cmd
}

func writeReportTable(w io.Writer, lb report.Leaderboard) error {
	unit := "days"
	if lb.Days == 1 {
		unit = "day"
	}
	fmt.Fprintf(w, "Leaderboard %s to %s (%d %s, UTC), happiness target %s\n\n", lb.From, lb.To, lb.Days, unit, lb.Target)
	rows := [][]string{{"AGENT", "KIND", "SCORE", "TARGET", "RATINGS", "POSITIVE", "NEUTRAL", "NEGATIVE", "SURVEYS", "RESPONSE"}}
	for _, r := range lb.Rows() {
		mark := ""
		if r.MeetsTarget {
			mark = "✓"
		}
		rows = append(rows, []string{safetext.Line(r.Agent), r.Kind, r.Score, mark, strconv.Itoa(r.Ratings), strconv.Itoa(r.Positive),
			strconv.Itoa(r.Neutral), strconv.Itoa(r.Negative), domain.FormatCount(r.Surveys, r.SurveysKnown), r.ResponseRate})
	}
	return writeTable(w, rows)
}

func writeReportCSV(w io.Writer, lb report.Leaderboard) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"agent", "kind", "from", "to", "score", "ratings", "positive", "neutral", "negative", "surveys", "response_rate", "meets_target"})
	for _, r := range lb.Rows() {
		cw.Write([]string{safetext.Cell(r.Agent), r.Kind, lb.From, lb.To, r.Score, strconv.Itoa(r.Ratings), strconv.Itoa(r.Positive),
			strconv.Itoa(r.Neutral), strconv.Itoa(r.Negative), domain.FormatCount(r.Surveys, r.SurveysKnown), r.ResponseRate, strconv.FormatBool(r.MeetsTarget)})
	}
	cw.Flush()
	return cw.Error()
}

func writeReportJSON(w io.Writer, lb report.Leaderboard) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(lb)
}
