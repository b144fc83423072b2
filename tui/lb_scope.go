package tui

// What the leaderboard is of: one team or the workspace, a filter by
// channel, audience and origin, and the period before, to compare with.

import (
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
)

// The filter values each key cycles through; "" is all.
var (
	channelChoices  = []string{"", "messenger", "email"}
	audienceChoices = []string{"", "users", "leads"}
	originChoices   = []string{"", "inbound", "outbound"}
)

// lbScope is the team and the filter the board reads.
type lbScope struct {
	team                      string // a team id; "" for the workspace
	channel, audience, origin int    // places in the choices; 0 is all
}

// filter is the scope's domain filter; the choices always parse.
func (s lbScope) filter() domain.Filter {
	f, _ := domain.ParseFilter(channelChoices[s.channel], audienceChoices[s.audience], originChoices[s.origin])
	return f
}

// key names the scope, so that rank markers start again when it changes.
func (s lbScope) key() string { return s.team + "|" + s.filter().String() }

// next is the place after i among n choices, round.
func next(i, n int) int { return (i + 1) % n }

// lbQuery is what one read of the board asks for.
type lbQuery struct {
	period string
	now    time.Time
	scope  lbScope
	trend  bool // read the team's series too, for the trend chart
}

// lbData is one read of the leaderboard: the period's counters under the
// scope, the period before's, the teams to choose from and the target.
type lbData struct {
	board    store.Leaderboard
	prev     store.Leaderboard // the period before, same length
	compared bool              // prev was read: the period has a start
	teams    []domain.Team     // every team, whatever the scope
	trend    lbTrend
	target   int
	empty    bool // a first run: the store has no teammates and no conversations
}

// readBoard reads what q asks for; it runs in a command.
func readBoard(src Source, q lbQuery) (lbData, error) {
	d := lbData{target: src.Settings().TargetPermille}
	p, err := store.ParsePeriod(q.period, q.now)
	if err != nil {
		return d, err
	}
	f := q.scope.filter()
	// The period before is read beside this one: a compared board costs
	// the wall time of one read where two cores are free.
	prev, compare := p.Previous()
	var before sync.WaitGroup
	var prevErr error
	if d.compared = compare && !p.From.IsZero(); d.compared {
		before.Add(1)
		go func() {
			defer before.Done()
			d.prev, prevErr = src.LeaderboardOf(prev, f)
		}()
	}
	d.board, err = src.LeaderboardOf(p, f)
	before.Wait()
	if err == nil {
		err = prevErr
	}
	if err != nil {
		return d, err
	}
	for _, t := range d.board.Teams {
		d.teams = append(d.teams, t.Team)
	}
	if q.scope.team != "" {
		// A team that is gone leaves the workspace's board.
		if team, ok := d.board.ForTeam(q.scope.team); ok {
			d.board = team
			d.prev, _ = d.prev.ForTeam(q.scope.team)
		}
	}
	if len(d.board.Teammates)+len(d.board.Bots) == 0 && f.IsZero() && q.scope.team == "" {
		if d.empty, err = storeEmpty(src); err != nil {
			return d, err
		}
	}
	if q.trend {
		d.trend, err = readTrend(src, d, q.scope.team, f)
	}
	return d, err
}

// teamName is the display name of the chosen team, "" for the workspace.
func (v *leaderboard) teamName() string {
	for _, t := range v.teams {
		if t.ID == v.scope.team {
			return safetext.Line(t.Name)
		}
	}
	return ""
}

// nextTeam chooses the team after the current one: the workspace, then
// each team by display name, then the workspace again.
func (v *leaderboard) nextTeam() {
	i := -1
	for j, t := range v.teams {
		if t.ID == v.scope.team {
			i = j
		}
	}
	if i+1 < len(v.teams) {
		v.scope.team = v.teams[i+1].ID
	} else {
		v.scope.team = ""
	}
}

// scopeLines say what the board shows: the period's days, the team, the
// filter and the period compared with, wrapped whole to the width.
func (v *leaderboard) scopeLines() string { return indented(v.scopeText(), v.width) }

// scopeHeight is the lines scopeLines take.
func (v *leaderboard) scopeHeight() int { return strings.Count(v.scopeLines(), "\n") + 1 }

func (v *leaderboard) scopeText() string {
	p := v.data.Period
	s := v.periodName() + " " + spanText(p, p.From.Year() != v.c.clock().Year())
	if name := v.teamName(); name != "" {
		s += " · team " + name
	} else {
		s += " · all teams"
	}
	if f := v.scope.filter(); f.IsZero() {
		s += " · all conversations"
	} else {
		s += " · " + filterWords(f)
	}
	if v.compared {
		prev := v.prevData.Period
		s += " · Δ vs " + spanText(prev, prev.From.Year() != v.c.clock().Year())
	}
	return s
}

// spanText is a period's first and last day: "Feb 9 – Mar 10", with the
// year when asked for (not this year's), and both years when they differ.
func spanText(p store.Period, year bool) string {
	last := p.To.AddDate(0, 0, -1)
	first, end := "Jan 2", "Jan 2"
	if year || p.From.Year() != last.Year() {
		end += " 2006"
	}
	if !p.To.After(p.From) || last.Equal(p.From) {
		return p.From.Format(end)
	}
	if p.From.Year() != last.Year() {
		first += " 2006"
	}
	return p.From.Format(first) + " – " + last.Format(end)
}

// deltaOf is a row's change against the period before.
func (v *leaderboard) deltaOf(r lbRow) domain.Delta {
	var before domain.Counts
	switch {
	case r.workspace:
		before = v.prevData.Team
	case r.team:
		before = v.beforeTeams[r.teamID]
	default:
		before = v.before[r.row.Agent]
	}
	return domain.Compare(r.row.Counts, before)
}

// compare indexes the period before's rows, for deltaOf.
func (v *leaderboard) compareWith(prev store.Leaderboard, compared bool) {
	v.prevData, v.compared = prev, compared
	v.before = make(map[domain.Actor]domain.Counts, len(prev.Teammates)+len(prev.Bots))
	for _, rows := range [][]store.AgentRow{prev.Teammates, prev.Bots} {
		for _, r := range rows {
			v.before[r.Agent] = r.Counts
		}
	}
	v.beforeTeams = make(map[string]domain.Counts, len(prev.Teams))
	for _, t := range prev.Teams {
		v.beforeTeams[t.Team.ID] = t.Counts
	}
}

// deltaCells are a row's Δ score and Δ ratings columns, "" when the
// period has none before it (all time).
func (v *leaderboard) deltaCells(r lbRow) (score, ratings string) {
	if !v.compared {
		return "", ""
	}
	t := v.c.theme
	d := v.deltaOf(r)
	score = fitLeft(d.ScoreCell(), lbNumW)
	switch d.Arrow() {
	case "▲":
		score = t.Good.Render(score)
	case "▼":
		score = t.Bad.Render(score)
	}
	return score, fitLeft(d.RatingsText(), lbNumW)
}

// compact drops the pos and neu columns when the Δ columns leave too
// little room: the mix bar and the detail line still show them.
func (v *leaderboard) compact() bool { return v.compared && v.width < 96 }

// prevRow is a's row in the period before, for the teammate page's overlay.
func (v *leaderboard) prevRow(a domain.Actor) (store.AgentRow, bool) {
	if !v.compared {
		return store.AgentRow{}, false
	}
	for _, rows := range [][]store.AgentRow{v.prevData.Teammates, v.prevData.Bots} {
		for _, r := range rows {
			if r.Agent == a {
				return r, true
			}
		}
	}
	return store.AgentRow{Agent: a}, true
}

// scopeKey handles the keys that change what the board is of; it reports
// whether msg was one of them.
func (v *leaderboard) scopeKey(msg tea.Msg) (tea.Cmd, bool) {
	key, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil, false
	}
	k := v.c.keys
	switch {
	case keyIs(key, k.Team) && len(v.teams) == 0:
		return flash("no teams yet: csat teams add TEAM MEMBER... makes one (csat sync intercom brings Intercom's)"), true
	case keyIs(key, k.Team):
		v.nextTeam()
	case keyIs(key, k.Channel):
		v.scope.channel = next(v.scope.channel, len(channelChoices))
	case keyIs(key, k.Audience):
		v.scope.audience = next(v.scope.audience, len(audienceChoices))
	case keyIs(key, k.Origin):
		v.scope.origin = next(v.scope.origin, len(originChoices))
	case keyIs(key, k.Trend):
		v.trendOn = !v.trendOn
		v.list.setHeight(v.listHeight())
	case keyIs(key, k.CustomPeriod):
		return v.openPrompt(), true
	default:
		return nil, false
	}
	return v.Reload(), true
}

// showPage shows row on the teammate page under the board's scope: the
// filter its ratings are read under, and its period before.
func (v *leaderboard) showPage(row store.AgentRow) {
	name := v.periodName() + filterNote(v.scope.filter())
	before, ok := v.prevRow(row.Agent)
	v.page.segments, v.page.before, v.page.compared = v.scope.filter(), before.Daily, ok
	v.page.show(row, v.data, name, v.target)
}

// filterNote names a filter after a title: " · channel email audience
// leads", or "" for none.
func filterNote(f domain.Filter) string {
	if f.IsZero() {
		return ""
	}
	return " · " + filterWords(f)
}

// filterWords names a filter's parts, a comma between two ("channel
// messenger audience users" read as one run of words).
func filterWords(f domain.Filter) string {
	return strings.ReplaceAll(strings.ReplaceAll(f.String(), " ", ", "), "=", " ")
}
