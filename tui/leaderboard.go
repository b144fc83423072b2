package tui

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
)

// Periods the leaderboard cycles through: domain's named periods (today,
// 7d, 30d, 90d, this-week, this-month, last-month, all).
var periods = domain.PeriodNames

// Sort columns of the leaderboard.
const (
	sortScore = iota
	sortRatings
	sortResponse
	sortNegative
	sortName
	sortCount
)

var sortNames = [sortCount]string{"score", "ratings", "response", "negative", "name"}

// markerTTL is how long a rank-change marker stays after a live update moved someone.
const markerTTL = 10 * time.Second

type lbRow struct {
	row    store.AgentRow
	header string // a section title instead of an agent
	rank   int    // 0 when not ranked (too few ratings, bots)
	team   bool   // a team's row: its members' sum; it has no page
	teamID string // the team's id, for its change
	// workspace is the row of the whole board (or the chosen team).
	workspace bool
}

type rankMove struct {
	up bool
	at time.Time
}

type leaderboard struct {
	base
	period   int
	sortBy   int
	reverse  bool
	wilson   bool
	data     store.Leaderboard
	rows     []lbRow
	prevRank map[string]int
	moves    map[string]rankMove
	basis    string // period and metric the ranks were computed for
	target   int    // happiness target, permille

	page    *teammatePage // the agent opened with enter
	showing bool          // the page is shown instead of the board
	welcome bool          // the store is empty: the welcome screen instead of the board

	scope       lbScope
	teams       []domain.Team // every team, to choose from
	custom      string        // a typed period; "" for the named one
	prompt      periodPrompt
	compared    bool              // the rows compare with the period before
	prevData    store.Leaderboard // the period before
	before      map[domain.Actor]domain.Counts
	beforeTeams map[string]domain.Counts
	trendOn     bool
	trend       lbTrend
}

func newLeaderboard(c *common, tab int) *leaderboard {
	return &leaderboard{base: newBase(c, tab), period: 2, moves: map[string]rankMove{}, page: newTeammatePage(c, tab)}
}

func (v *leaderboard) TabName() string       { return "Leaderboard" }
func (v *leaderboard) SetFilter(text string) { v.filter = text; v.build() }

func (v *leaderboard) SetSize(w, h int) {
	v.width, v.height = w, h
	v.list.setHeight(v.listHeight())
	v.page.SetSize(w, h)
}

func (v *leaderboard) nested() bool { return v.showing }

func (v *leaderboard) busy() bool { return v.loading || v.showing && v.page.busy() }

// listHeight leaves room for the scope line, the header, the team row, a
// rule, the detail line, and the chart and the prompt when shown.
func (v *leaderboard) listHeight() int {
	return max(v.height-4-v.scopeHeight()-v.trendHeight()-v.promptHeight(), 1)
}

func (v *leaderboard) StatusText() string {
	if v.showing {
		return v.page.status()
	}
	if v.err != nil {
		return "leaderboard: " + v.err.Error()
	}
	rank := "by score"
	if v.wilson {
		rank = "by Wilson lower bound"
	}
	s := v.periodName() + " · sort " + sortNames[v.sortBy]
	if v.reverse {
		s += " ↑"
	}
	return s + " · " + rank
}

func (v *leaderboard) ShortHelp() []key.Binding {
	if v.showing {
		return v.page.ShortHelp()
	}
	k := v.c.keys
	if v.prompt.open {
		return []key.Binding{k.Apply, k.Cancel}
	}
	// tab and / are in the full help: the line must fit 80 columns.
	return []key.Binding{k.Enter, k.Period, k.Sort, k.Team, k.Trend, k.Help, k.Quit}
}

func (v *leaderboard) FullHelp() [][]key.Binding {
	if v.showing {
		return v.page.FullHelp()
	}
	k := v.c.keys
	return [][]key.Binding{{k.Enter, k.Period, k.CustomPeriod, k.Sort, k.Reverse, k.Wilson},
		{k.Team, k.Channel, k.Audience, k.Origin, k.Trend}, k.listKeys(), k.frameKeys()}
}

// Reload reads the period's counters, and the open teammate page's lists.
func (v *leaderboard) Reload() tea.Cmd {
	var page tea.Cmd
	if v.showing {
		page = v.page.Reload()
	}
	return tea.Batch(v.read(), page)
}

func (v *leaderboard) read() tea.Cmd {
	src := v.c.src
	q := lbQuery{period: v.periodName(), now: v.c.clock(), scope: v.scope, trend: v.trendOn}
	return v.fetch(func() (any, error) { return readBoard(src, q) })
}

// loaded shows a read; ranks that moved since the last one get a marker.
func (v *leaderboard) loaded(msg loadedMsg) {
	if !v.accept(msg, "leaderboard") {
		return
	}
	d, _ := msg.data.(lbData)
	v.data, v.target, v.welcome = d.board, d.target, d.empty
	v.teams, v.trend = d.teams, d.trend
	v.compareWith(d.prev, d.compared)
	v.rank()
	v.build()
	if v.showing {
		v.showPage(v.agentRow(v.page.row.Agent))
	}
}

// agentRow is a's row of the period; zero counts when a has none in it.
func (v *leaderboard) agentRow(a domain.Actor) store.AgentRow {
	for _, rows := range [][]store.AgentRow{v.data.Teammates, v.data.Bots} {
		for _, r := range rows {
			if r.Agent == a {
				return r
			}
		}
	}
	return store.AgentRow{Agent: a}
}

// openPage shows the agent under the cursor on their own page.
func (v *leaderboard) openPage() tea.Cmd {
	if v.list.cursor >= len(v.rows) || v.rows[v.list.cursor].header != "" || v.rows[v.list.cursor].team {
		return nil
	}
	v.showing = true
	v.page.list = list{height: v.page.listHeight()}
	v.page.followUps, v.page.ratings, v.page.more = nil, nil, false
	v.page.loaded = false // until its read lands, its lists are not empty but unread
	v.showPage(v.rows[v.list.cursor].row)
	return v.page.Reload()
}

// rank orders teammates by the ranking metric and records who moved.
func (v *leaderboard) rank() {
	ranked := make([]store.AgentRow, 0, len(v.data.Teammates))
	for _, r := range v.data.Teammates {
		if r.Counts.Ranked() {
			ranked = append(ranked, r)
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool {
		a, b := v.metric(ranked[i].Counts), v.metric(ranked[j].Counts)
		if a != b {
			return a > b
		}
		return ranked[i].Agent.Name < ranked[j].Agent.Name
	})
	ranks := make(map[string]int, len(ranked))
	for i, r := range ranked {
		ranks[r.Agent.Name] = i + 1
	}
	basis := v.periodName() + boolName(v.wilson) + v.scope.key()
	now := v.c.clock()
	if basis == v.basis {
		for name, r := range ranks {
			if old, ok := v.prevRank[name]; ok && old != r {
				v.moves[name] = rankMove{up: r < old, at: now}
			}
		}
	} else {
		v.moves = map[string]rankMove{}
	}
	v.basis, v.prevRank = basis, ranks
}

func boolName(b bool) string {
	if b {
		return "+wilson"
	}
	return ""
}

func (v *leaderboard) metric(c domain.Counts) float64 {
	if v.wilson {
		return c.WilsonLower()
	}
	s, _ := c.Score()
	return s
}

// rowName is how a row's agent is shown: its display name, else its key.
func rowName(r store.AgentRow) string { return domain.DisplayName(r.Agent, r.Display) }

// build lays out the rows in the chosen sort order, filtered.
func (v *leaderboard) build() {
	mates := make([]lbRow, 0, len(v.data.Teammates))
	for _, r := range v.data.Teammates {
		if matches(v.filter, r.Agent.Name, rowName(r)) {
			mates = append(mates, lbRow{row: r, rank: v.prevRank[r.Agent.Name]})
		}
	}
	sort.SliceStable(mates, func(i, j int) bool {
		less := v.less(mates[i], mates[j])
		if v.reverse {
			return v.less(mates[j], mates[i])
		}
		return less
	})
	rows := mates
	var bots []lbRow
	for _, r := range v.data.Bots {
		if matches(v.filter, r.Agent.Name, rowName(r), "bot") {
			bots = append(bots, lbRow{row: r})
		}
	}
	if len(bots) > 0 {
		rows = append(rows, lbRow{header: "Bot agents (not in the team score)"})
		rows = append(rows, bots...)
	}
	rows = append(rows, v.teamRows()...)
	v.rows = rows
	v.list.setLen(len(rows))
	v.list.setHeight(v.listHeight())
}

// teamRows are the Teams section: a row per team, its members' sum (a
// teammate in two teams counts in both), named by its display name.
func (v *leaderboard) teamRows() []lbRow {
	if v.scope.team != "" {
		return nil // the chosen team is the board's own row
	}
	var rows []lbRow
	for _, t := range v.data.Teams {
		name := safetext.Line(t.Team.Name)
		if matches(v.filter, name, t.Team.ID, "team") {
			rows = append(rows, lbRow{row: store.AgentRow{Agent: domain.Actor{Kind: domain.KindWorkflow, Name: name}, Counts: t.Counts, Daily: t.Daily}, team: true, teamID: t.Team.ID})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return append([]lbRow{{header: "Teams (each its members' sum)"}}, rows...)
}

func (v *leaderboard) less(a, b lbRow) bool {
	ca, cb := a.row.Counts, b.row.Counts
	switch v.sortBy {
	case sortScore:
		// Ranked first, in rank order; the unranked after, by name.
		switch {
		case a.rank != 0 && b.rank != 0:
			return a.rank < b.rank
		case a.rank != 0 || b.rank != 0:
			return a.rank != 0
		}
	case sortRatings:
		if ca.Rated() != cb.Rated() {
			return ca.Rated() > cb.Rated()
		}
	case sortResponse:
		ra, oka := ca.ResponseRate()
		rb, okb := cb.ResponseRate()
		if oka != okb {
			return oka
		}
		if ra != rb {
			return ra > rb
		}
	case sortNegative:
		if ca.Negative() != cb.Negative() {
			return ca.Negative() > cb.Negative()
		}
	}
	return rowName(a.row) < rowName(b.row)
}

func (v *leaderboard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k := v.c.keys
	if v.showing {
		if msg, ok := msg.(tea.KeyMsg); ok && keyIs(msg, k.Back) && !v.page.stream.isOpen() {
			v.showing = false
			return v, nil
		}
		if handled, cmd := v.page.update(msg); handled {
			return v, cmd
		}
	}
	if msg, ok := msg.(loadedMsg); ok {
		if msg.from == &v.base {
			v.loaded(msg)
		}
		return v, nil
	}
	if msg, ok := msg.(tea.KeyMsg); ok && v.prompt.open {
		return v, v.promptKey(msg)
	}
	if cmd, ok := v.scopeKey(msg); ok {
		return v, cmd
	}
	if v.list.update(k, msg) {
		return v, nil
	}
	if msg, ok := msg.(tea.KeyMsg); ok {
		switch {
		case keyIs(msg, k.Enter):
			return v, v.openPage()
		case keyIs(msg, k.Period):
			if v.custom == "" {
				v.period = (v.period + 1) % len(periods)
			}
			v.custom = ""
			return v, v.Reload()
		case keyIs(msg, k.Sort):
			v.sortBy = (v.sortBy + 1) % sortCount
			v.build()
		case keyIs(msg, k.Reverse):
			v.reverse = !v.reverse
			v.build()
		case keyIs(msg, k.Wilson):
			v.wilson = !v.wilson
			v.rank()
			v.build()
		}
	}
	return v, nil
}

// Column widths; the bar and the trend take what is left.
const (
	lbCursorW = 2
	lbRankW   = 4
	lbNameW   = 14
	lbNumW    = 7
	lbSmallW  = 5
)

func (v *leaderboard) View() string {
	if v.showing {
		return v.page.View()
	}
	if v.welcome {
		return welcomeView(v.c.theme, v.width)
	}
	t := v.c.theme
	var b strings.Builder
	b.WriteString(v.promptView())
	b.WriteString(t.Muted.Render(v.scopeLines()) + "\n")
	if v.trendOn {
		b.WriteString(v.trendView() + "\n")
	}
	barW, trendW := v.flexWidths()
	b.WriteString(t.Header.Render(v.headerLine(barW, trendW)))
	b.WriteByte('\n')
	team := store.AgentRow{Agent: domain.Actor{Name: "team"}, Display: v.teamName(), Counts: v.data.Team, Daily: teamDaily(v.data.Teammates)}
	b.WriteString(t.Title.Render(v.line(lbRow{row: team, workspace: true}, false, barW, trendW)))
	b.WriteByte('\n')
	b.WriteString(t.Muted.Render(strings.Repeat("─", v.width)))
	b.WriteByte('\n')
	if row, ok := v.placeholder(len(v.rows), "cannot read the leaderboard", v.unlessFiltered("no ratings in this period")); ok {
		b.WriteString(row)
		b.WriteByte('\n')
	}
	from, to := v.list.visible()
	for i := from; i < to; i++ {
		r := v.rows[i]
		if r.header != "" {
			b.WriteString(t.Header.Render(fit("  "+r.header, v.width)))
		} else {
			line := v.line(r, i == v.list.cursor, barW, trendW)
			if i == v.list.cursor {
				line = t.Selected.Render(line)
			}
			b.WriteString(line)
		}
		b.WriteByte('\n')
	}
	for i := to - from; i < v.listHeight(); i++ {
		b.WriteByte('\n')
	}
	b.WriteString(v.detail())
	return b.String()
}

// flexWidths shares what the fixed columns leave between the bar and the trend.
func (v *leaderboard) flexWidths() (bar, trend int) {
	fixed := lbCursorW + lbRankW + lbNameW + lbNumW*2 + lbSmallW*3 + lbNumW + 2
	if v.wilson {
		fixed += lbNumW
	}
	if v.compared {
		fixed += 2 * lbNumW
	}
	if v.compact() {
		fixed -= 2 * lbSmallW
	}
	room := v.width - fixed - 2
	if room < 6 {
		return max(room, 0), 0
	}
	bar = min(room/2, 20)
	trend = min(room-bar-1, 30)
	return bar, trend
}

func (v *leaderboard) headerLine(barW, trendW int) string {
	s := fit("", lbCursorW) + fitLeft("#", lbRankW-1) + " " + fit(v.sortMark("name", sortName), lbNameW) +
		fitLeft(v.sortMark("score", sortScore), lbNumW)
	if v.compared {
		s += fitLeft("Δscore", lbNumW)
	}
	if v.wilson {
		s += fitLeft("wilson", lbNumW)
	}
	s += fitLeft(v.sortMark("rated", sortRatings), lbNumW)
	if v.compared {
		s += fitLeft("Δrated", lbNumW)
	}
	if !v.compact() {
		s += fitLeft("pos", lbSmallW) + fitLeft("neu", lbSmallW)
	}
	s += fitLeft(v.sortMark("neg", sortNegative), lbSmallW) + " " +
		fit("mix", barW) + fitLeft(v.sortMark("resp", sortResponse), lbNumW)
	if trendW > 0 {
		s += " " + fit("trend", trendW)
	}
	return fit(s+" ✓", v.width)
}

// line renders one agent's row. Colour is added on top of plain cells so that
// widths stay exact and NO_COLOR keeps the meaning.
func (v *leaderboard) line(r lbRow, cursor bool, barW, trendW int) string {
	t := v.c.theme
	c := r.row.Counts
	cur := "  "
	if cursor {
		cur = "▸ "
	}
	rank := ""
	switch {
	case r.workspace:
	case r.rank > 0:
		rank = itoa(r.rank)
	case r.row.Agent.IsTeammate():
		rank = "·" // shown, not ranked: too few ratings
	}
	mark := " "
	if mv, ok := v.moves[r.row.Agent.Name]; ok && v.c.clock().Sub(mv.at) < markerTTL {
		if mv.up {
			mark = t.Good.Render("▲")
		} else {
			mark = t.Bad.Render("▼")
		}
	}
	name := rowName(r.row)
	if r.row.Agent.IsTeammate() && !c.Ranked() {
		name = clip(name, lbNameW-2) + " *" // a long name is cut, not the mark
	}
	score := c.ScorePercent(0)
	resp := c.ResponsePercent(0)
	target := " "
	if c.MeetsTarget(v.target) {
		target = t.Good.Render("✓")
	}
	scoreCell := fitLeft(score, lbNumW)
	if s, ok := c.Score(); ok {
		switch {
		case c.MeetsTarget(v.target):
			scoreCell = t.Good.Render(scoreCell)
		case s < 0.5:
			scoreCell = t.Bad.Render(scoreCell)
		}
	}
	dScore, dRated := v.deltaCells(r)
	s := cur + fitLeft(rank, lbRankW-1) + mark + fit(name, lbNameW) + scoreCell + dScore
	if v.wilson {
		s += fitLeft(domain.FormatShare(c.WilsonLower(), c.Rated() > 0), lbNumW)
	}
	s += fitLeft(countCell(c.Rated(), lbNumW), lbNumW) + dRated
	if !v.compact() {
		s += fitLeft(countCell(c.Positive(), lbSmallW), lbSmallW) + fitLeft(countCell(c.Neutral(), lbSmallW), lbSmallW)
	}
	s += fitLeft(countCell(c.Negative(), lbSmallW), lbSmallW) + " " +
		v.bar(c, barW) + fitLeft(resp, lbNumW)
	if trendW > 0 {
		s += " " + v.sparkline(r.row.Daily, trendW)
	}
	return s + " " + target
}

// detail explains the row under the cursor, face by face.
func (v *leaderboard) detail() string {
	t := v.c.theme
	if v.list.cursor >= len(v.rows) || v.rows[v.list.cursor].header != "" {
		return t.Muted.Render(fit("  * fewer than "+itoa(domain.MinRatingsToRank)+" ratings: shown, not ranked", v.width))
	}
	r := v.rows[v.list.cursor].row
	c := r.Counts
	var b strings.Builder
	b.WriteString("  " + rowName(r) + ":")
	for val := 5; val >= 1; val-- {
		b.WriteString(" " + domain.Face(val) + " " + itoa(c.ByValue[val]))
	}
	b.WriteString(" · surveys " + domain.FormatCount(c.SurveysSent()))
	b.WriteString(" · Wilson " + domain.FormatShare(c.WilsonLower(), c.Rated() > 0))
	if !c.Ranked() && r.Agent.IsTeammate() {
		b.WriteString(" · not ranked")
	}
	if v.wilson {
		b.WriteString(" · ranks use the Wilson 95% lower bound")
	}
	return t.Muted.Render(fit(b.String(), v.width))
}

// countCell shortens a count that would fill its column (a team with years of
// ratings) to thousands or millions, so that neighbouring columns never touch.
func countCell(n, width int) string {
	s := itoa(n)
	if len(s) < width {
		return s
	}
	if k := (n + 500) / 1000; k < 1000 && len(itoa(k))+1 < width {
		return itoa(k) + "k"
	}
	m := strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + "M"
	if len(m) < width {
		return m
	}
	return itoa((n+500_000)/1_000_000) + "M"
}
