package report

import (
	"errors"
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// Query is what a report asks for: a period, a filter by channel,
// audience and origin, optionally one team, and whether to compare with
// the period before. The CLI's flags and /api/report's parameters both
// read into it.
type Query struct {
	Period  store.Period
	Filter  domain.Filter
	Team    string // a team id or display name; "" for the workspace
	Compare bool
}

// QuerySource reads filtered leaderboards and series: the store.
type QuerySource interface {
	Settings() domain.Settings
	LeaderboardOf(p store.Period, f domain.Filter) (store.Leaderboard, error)
	Series(a domain.Actor, p store.Period, f domain.Filter, by domain.Bucket) ([]store.SeriesPoint, error)
	// DisplayName is how an agent is shown: its display name, else its key.
	DisplayName(a domain.Actor) string
}

// ErrUnknownTeam is a --team or ?team= that names no team.
var ErrUnknownTeam = errors.New("no such team")

// TeamRow is a team's figures (agent is its display name, kind team) with
// its id and members.
type TeamRow struct {
	ID      string   `json:"id"`
	Members []string `json:"members"`
	AgentRow
}

// NewTeamRow is one team's row.
func NewTeamRow(t store.TeamRow, targetPermille int) TeamRow {
	members := t.Team.Members
	if members == nil {
		members = []string{}
	}
	return TeamRow{ID: t.Team.ID, Members: members, AgentRow: NewAgentRow(store.AgentRow{Agent: domain.Actor{Name: t.Team.ID}, Display: t.Team.Name, Counts: t.Counts}, KindTeam, targetPermille)}
}

// Filter names what a report is of; "all" where it does not narrow.
type Filter struct {
	Channel  string `json:"channel"`  // messenger, email or all
	Audience string `json:"audience"` // users, leads or all
	Origin   string `json:"origin"`   // inbound, outbound or all
}

// NewFilter is the contract's view of a domain filter.
func NewFilter(f domain.Filter) Filter {
	out := Filter{Channel: "all", Audience: "all", Origin: "all"}
	if f.Channel != nil {
		out.Channel = f.Channel.String()
	}
	if f.Audience != nil {
		out.Audience = f.Audience.String()
	}
	if f.Origin != nil {
		out.Origin = f.Origin.String()
	}
	return out
}

// Span is a period as days: first and last (included), and how many.
type Span struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days int    `json:"days"`
}

// Change is a row against the previous period.
type Change struct {
	// Direction is up, down or same (as rounded), none when either period
	// has no ratings.
	Direction string `json:"direction"`
	// Score is the change as shown ("▲ +4.5 pts", "▼ −2 pts", "=", "—");
	// ScorePoints the exact one in percentage points, null with no comparison.
	Score           string   `json:"score"`
	ScorePoints     *float64 `json:"score_points"`
	Ratings         int      `json:"ratings"` // this period's ratings less the previous one's
	PreviousScore   string   `json:"previous_score"`
	PreviousRatings int      `json:"previous_ratings"`
}

// NewChange compares counts with the previous period's.
func NewChange(cur, prev domain.Counts) *Change {
	d := domain.Compare(cur, prev)
	c := &Change{Direction: "none", Score: d.ScoreText(), Ratings: d.Ratings,
		PreviousScore: prev.ScorePercent(0), PreviousRatings: prev.Rated()}
	if d.ScoreOK {
		points := d.Score
		c.ScorePoints = &points
		switch d.Arrow() {
		case "▲":
			c.Direction = "up"
		case "▼":
			c.Direction = "down"
		default:
			c.Direction = "same"
		}
	}
	return c
}

// Run answers a query: the filtered leaderboard, narrowed to the team if
// one is named, and compared with the period before when asked.
func Run(src QuerySource, q Query) (Leaderboard, error) {
	cur, err := board(src, q.Period, q)
	if err != nil {
		return Leaderboard{}, err
	}
	target := src.Settings().TargetPermille
	out := NewLeaderboard(cur, target)
	out.Filter, out.ForTeam = NewFilter(q.Filter), q.Team
	if q.Team != "" && len(cur.Teams) == 1 {
		out.ForTeam = cur.Teams[0].Team.ID
	}
	if !q.Compare {
		return out, nil
	}
	prevPeriod, ok := cur.Period.Previous()
	if !ok || q.Period.From.IsZero() {
		return out, nil // all time has nothing before it
	}
	prev, err := board(src, prevPeriod, q)
	if err != nil {
		return Leaderboard{}, err
	}
	out.Previous = &Span{From: prev.Period.From.UTC().Format(time.DateOnly), To: lastDay(prev.Period), Days: days(prev.Period)}
	out.compare(cur, prev)
	return out, nil
}

// board is the store leaderboard of one period under the query's filter and team.
func board(src QuerySource, p store.Period, q Query) (store.Leaderboard, error) {
	lb, err := src.LeaderboardOf(p, q.Filter)
	if err != nil || q.Team == "" {
		return lb, err
	}
	narrowed, ok := lb.ForTeam(q.Team)
	if !ok {
		return lb, fmt.Errorf("%w %q: csat teams list names them", ErrUnknownTeam, q.Team)
	}
	return narrowed, nil
}

// compare sets each row's change against prev, matching agents and teams
// by name and id; a row absent before compares with nothing.
func (lb *Leaderboard) compare(cur, prev store.Leaderboard) {
	before := map[domain.Actor]domain.Counts{}
	for _, rows := range [][]store.AgentRow{prev.Teammates, prev.Bots} {
		for _, r := range rows {
			before[r.Agent] = r.Counts
		}
	}
	lb.Team.Change = NewChange(cur.Team, prev.Team)
	for i, r := range cur.Teammates {
		lb.Teammates[i].Change = NewChange(r.Counts, before[r.Agent])
	}
	for i, r := range cur.Bots {
		lb.Bots[i].Change = NewChange(r.Counts, before[r.Agent])
	}
	teams := map[string]domain.Counts{}
	for _, t := range prev.Teams {
		teams[t.Team.ID] = t.Counts
	}
	for i, t := range cur.Teams {
		lb.Teams[i].Change = NewChange(t.Counts, teams[t.Team.ID])
	}
}
