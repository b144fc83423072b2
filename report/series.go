package report

import (
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// Series is one agent's figures step by step over a period: `csat report
// --agent NAME --by week` and /api/report?agent=NAME&by=week.
type Series struct {
	Agent   string        `json:"agent"`    // the display name, as the leaderboard shows it
	AgentID string        `json:"agent_id"` // the stable key: a script's name, an Intercom id
	Kind    string        `json:"kind"`     // teammate or bot
	By      string        `json:"by"`       // day, week or month
	From    string        `json:"from"`
	To      string        `json:"to"`
	Target  string        `json:"target"`
	Filter  Filter        `json:"filter"`
	Points  []SeriesPoint `json:"points"`
}

// SeriesPoint is one step: its days (a week starts on Monday; the first
// and last are cut to the period) and the agent's figures in them.
type SeriesPoint struct {
	From string `json:"from"`
	To   string `json:"to"` // last day, included
	Days int    `json:"days"`
	AgentRow
}

// RunSeries answers a series query for one agent.
func RunSeries(src QuerySource, agent domain.Actor, by domain.Bucket, q Query) (Series, error) {
	pts, err := src.Series(agent, q.Period, q.Filter, by)
	if err != nil {
		return Series{}, err
	}
	target := src.Settings().TargetPermille
	kind := KindTeammate
	if agent.IsBot() {
		kind = KindBot
	}
	display := src.DisplayName(agent)
	out := Series{Agent: display, AgentID: agent.Name, Kind: kind, By: by.String(), Target: domain.FormatPermille(target),
		Filter: NewFilter(q.Filter), Points: make([]SeriesPoint, 0, len(pts))}
	for _, p := range pts {
		span := store.Period{From: p.From, To: p.To}
		out.Points = append(out.Points, SeriesPoint{From: p.From.UTC().Format(time.DateOnly), To: lastDay(span), Days: days(span),
			AgentRow: NewAgentRow(store.AgentRow{Agent: agent, Display: display, Counts: p.Counts}, kind, target)})
	}
	if len(pts) > 0 {
		out.From, out.To = out.Points[0].From, out.Points[len(out.Points)-1].To
	}
	return out, nil
}
