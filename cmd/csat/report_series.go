package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/safetext"
)

// writeSeries prints one agent's series (csat report --agent NAME) in the
// format asked.
func writeSeries(w io.Writer, s report.Series, format string) error {
	switch format {
	case "json":
		return writeReportJSON(w, s)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"agent", "kind", "by", "from", "to", "days", "score", "ratings", "positive", "neutral", "negative", "surveys", "response_rate", "meets_target"})
		for _, p := range s.Points {
			cw.Write([]string{safetext.Cell(s.Agent), s.Kind, s.By, p.From, p.To, strconv.Itoa(p.Days), p.Score, strconv.Itoa(p.Ratings),
				strconv.Itoa(p.Positive), strconv.Itoa(p.Neutral), strconv.Itoa(p.Negative), strconv.Itoa(p.Surveys), p.ResponseRate, strconv.FormatBool(p.MeetsTarget)})
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(w, "%s (%s) by %s, %s to %s (UTC), happiness target %s\n", safetext.Line(s.Agent), s.Kind, s.By, s.From, s.To, s.Target)
	if scope := reportScope(report.Leaderboard{Filter: s.Filter}); scope != "" {
		fmt.Fprintln(w, scope)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FROM\tTO\tSCORE\tTARGET\tRATINGS\tPOSITIVE\tNEUTRAL\tNEGATIVE\tSURVEYS\tRESPONSE")
	for _, p := range s.Points {
		mark := ""
		if p.MeetsTarget {
			mark = "✓"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", p.From, p.To, p.Score, mark,
			p.Ratings, p.Positive, p.Neutral, p.Negative, p.Surveys, p.ResponseRate)
	}
	return tw.Flush()
}
