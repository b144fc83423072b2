package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
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

// findAgent is the agent --agent names: by its key (a script's name, an
// Intercom admin id, workflow, fin) or by the display name the report
// shows, among the agents the store has figures of. A name it has none of
// is refused: a typo printed a series of zeros.
func findAgent(s reader, ref string) (domain.Actor, error) {
	if a, err := domain.ParseActor(ref); err == nil && !a.IsAgent() { // user:ann, lead:x
		return domain.Actor{}, usageErr(fmt.Errorf("--agent %q: want a teammate name, workflow or fin", ref))
	}
	all, err := store.ParsePeriod("all", store.Now())
	if err != nil {
		return domain.Actor{}, failedErr(err)
	}
	lb, err := s.Report(report.Query{Period: all})
	if err != nil {
		return domain.Actor{}, failedErr(err)
	}
	var byName []string
	for _, r := range append(lb.Teammates, lb.Bots...) {
		if r.AgentID == ref {
			byName = []string{r.AgentID}
			break
		}
		if r.Agent == ref {
			byName = append(byName, r.AgentID)
		}
	}
	switch {
	case len(byName) > 1:
		return domain.Actor{}, usageErr(fmt.Errorf("--agent %q: %d agents have that name; give the id of one: %s", ref, len(byName), strings.Join(byName, ", ")))
	case len(byName) == 0:
		return domain.Actor{}, usageErr(fmt.Errorf("--agent %q: no teammate or bot agent of that id or name has figures in the store (csat report --period all lists them)", ref))
	}
	a, err := domain.ParseActor(byName[0])
	if err != nil || !a.IsAgent() {
		return domain.Actor{}, usageErr(fmt.Errorf("--agent %q: want a teammate name, workflow or fin", ref))
	}
	return a, nil
}
