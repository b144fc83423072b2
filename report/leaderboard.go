package report

import (
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// Agent kinds of a leaderboard row.
const (
	KindTeam     = "team"
	KindTeammate = "teammate"
	KindBot      = "bot"
)

// Leaderboard is one period's report: the team row (teammates only), each
// teammate and each bot agent.
type Leaderboard struct {
	From      string     `json:"from"` // first day, YYYY-MM-DD (UTC)
	To        string     `json:"to"`   // last day, included
	Days      int        `json:"days"`
	Target    string     `json:"target"` // the happiness target, "80%"
	Team      AgentRow   `json:"team"`
	Teammates []AgentRow `json:"teammates"`
	Bots      []AgentRow `json:"bots"`
	// Teams are the team rows, each its members' sum (a teammate in two
	// teams counts in both); with for_team, that team alone.
	Teams []TeamRow `json:"teams"`
	// Filter is the channel, audience and origin the figures are of.
	Filter Filter `json:"filter"`
	// ForTeam is the team id the report is narrowed to, "" for the workspace.
	ForTeam string `json:"for_team"`
	// Previous is the period compared with (same length, just before), null
	// when not comparing; each row's change is then set.
	Previous *Span `json:"previous"`
}

// AgentRow is one agent's figures over the period.
type AgentRow struct {
	Agent   string `json:"agent"`    // the display name
	AgentID string `json:"agent_id"` // the stable key: a script's name, an Intercom id
	Kind    string `json:"kind"`     // team, teammate or bot
	// Score is positive ÷ rated as shown ("15%"), "—" with no ratings;
	// ScoreValue is the exact share, null with no ratings.
	Score        string   `json:"score"`
	ScoreValue   *float64 `json:"score_value"`
	Ratings      int      `json:"ratings"`
	Positive     int      `json:"positive"`
	Neutral      int      `json:"neutral"`
	Negative     int      `json:"negative"`
	Faces        Faces    `json:"faces"`
	Surveys      int      `json:"surveys"`
	SurveysKnown bool     `json:"surveys_known"` // false: a helpdesk reported answers, not all its sends
	ResponseRate string   `json:"response_rate"` // ratings ÷ surveys sent, at most 100% (domain.Counts.ResponseRate), "—" when none was sent or sends are unknown
	MeetsTarget  bool     `json:"meets_target"`
	Ranked       bool     `json:"ranked"` // enough ratings to be ranked
	// Change is against the previous period, null when not comparing.
	Change *Change `json:"change"`
}

// Faces counts the ratings by face.
type Faces struct {
	Amazing  int `json:"amazing"`
	Great    int `json:"great"`
	Okay     int `json:"okay"`
	Bad      int `json:"bad"`
	Terrible int `json:"terrible"`
}

// NewLeaderboard is the contract's view of a store leaderboard under a
// happiness target (tenths of a percent).
func NewLeaderboard(lb store.Leaderboard, targetPermille int) Leaderboard {
	out := Leaderboard{
		From: lb.Period.From.UTC().Format(time.DateOnly), To: lastDay(lb.Period), Days: days(lb.Period),
		Target: domain.FormatPermille(targetPermille), Team: NewAgentRow(store.AgentRow{Agent: domain.Actor{Name: KindTeam}, Display: KindTeam, Counts: lb.Team}, KindTeam, targetPermille),
		Teammates: make([]AgentRow, 0, len(lb.Teammates)), Bots: make([]AgentRow, 0, len(lb.Bots)),
		Teams: make([]TeamRow, 0, len(lb.Teams)), Filter: NewFilter(domain.Filter{}),
	}
	for _, t := range lb.Teams {
		out.Teams = append(out.Teams, NewTeamRow(t, targetPermille))
	}
	for _, a := range lb.Teammates {
		out.Teammates = append(out.Teammates, NewAgentRow(a, KindTeammate, targetPermille))
	}
	for _, a := range lb.Bots {
		out.Bots = append(out.Bots, NewAgentRow(a, KindBot, targetPermille))
	}
	return out
}

// NewAgentRow is one row from an agent's counts, shown by its display name.
func NewAgentRow(a store.AgentRow, kind string, targetPermille int) AgentRow {
	c := a.Counts
	r := AgentRow{
		Agent: domain.DisplayName(a.Agent, a.Display), AgentID: a.Agent.Name, Kind: kind, Score: c.ScorePercent(0),
		Ratings: c.Rated(), Positive: c.Positive(), Neutral: c.Neutral(), Negative: c.Negative(),
		Faces:   Faces{Amazing: c.ByValue[5], Great: c.ByValue[4], Okay: c.ByValue[3], Bad: c.ByValue[2], Terrible: c.ByValue[1]},
		Surveys: c.Surveys, ResponseRate: c.ResponsePercent(0), MeetsTarget: c.MeetsTarget(targetPermille), Ranked: c.Ranked(),
	}
	_, r.SurveysKnown = c.SurveysSent()
	if s, ok := c.Score(); ok {
		r.ScoreValue = &s
	}
	return r
}

// Rows lists the team row, the teammates and the bots, in that order.
func (lb Leaderboard) Rows() []AgentRow {
	rows := make([]AgentRow, 0, 1+len(lb.Teammates)+len(lb.Bots))
	rows = append(rows, lb.Team)
	rows = append(rows, lb.Teammates...)
	return append(rows, lb.Bots...)
}

// lastDay is the period's last whole day (To is exclusive).
func lastDay(p store.Period) string {
	if !p.To.After(p.From) {
		return p.From.UTC().Format(time.DateOnly)
	}
	return p.To.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
}

// days is the days of a span from its first day (domain.Period.Days).
func days(p store.Period) int { return p.Days() }
