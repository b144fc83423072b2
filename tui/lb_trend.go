package tui

// The team trend: a chart, toggled on the leaderboard, of the team's (or
// the workspace's) score per week over the period, with the target and
// the period before for comparison.

import (
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/linechart"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// lbTrend is the series the chart draws: per day for short periods, per
// week for longer ones.
type lbTrend struct {
	by           domain.Bucket
	period, prev store.Period
	points       []store.SeriesPoint
	before       []store.SeriesPoint // the period before, when compared
}

// readTrend reads the team's series: its members' summed counters (the
// workspace's teammates when no team is chosen), under the board's filter.
func readTrend(src Source, d lbData, team string, f domain.Filter) (lbTrend, error) {
	tr := lbTrend{by: domain.ByWeek, period: d.board.Period, prev: d.prev.Period}
	if tr.period.Days() <= dailyUpTo {
		tr.by = domain.ByDay
	}
	members := trendMembers(d, team)
	var err error
	if tr.points, err = src.GroupSeries(members, tr.period, f, tr.by); err != nil || !d.compared {
		return tr, err
	}
	tr.before, err = src.GroupSeries(members, tr.prev, f, tr.by)
	return tr, err
}

// trendMembers are the agents a team's score sums: its members, or every
// teammate with counts in either period.
func trendMembers(d lbData, team string) []domain.Actor {
	if team != "" && len(d.board.Teams) == 1 && d.board.Teams[0].Team.ID == team {
		var out []domain.Actor
		for _, name := range d.board.Teams[0].Team.Members {
			out = append(out, domain.Teammate(name))
		}
		return out
	}
	seen := map[domain.Actor]bool{}
	var out []domain.Actor
	for _, rows := range [][]store.AgentRow{d.board.Teammates, d.prev.Teammates} {
		for _, r := range rows {
			if !seen[r.Agent] {
				seen[r.Agent] = true
				out = append(out, r.Agent)
			}
		}
	}
	return out
}

// trendHeight is the lines the chart and its title take; 0 when off. The
// graph gets 11, 6 or 5 rows, its X axis included (up to half the view),
// so that its rows fall on round percentages: 10, 20 or 25 points apart.
func (v *leaderboard) trendHeight() int {
	if !v.trendOn {
		return 0
	}
	room := (v.height - 5) / 2
	for _, rows := range []int{11, 6} {
		if rows+2 <= room {
			return rows + 2 // the title and the X axis's labels
		}
	}
	return 5 + 2
}

// trendView is the chart's title line and the chart.
func (v *leaderboard) trendView() string {
	t := v.c.theme
	h := v.trendHeight()
	tr := v.trend
	name := v.teamName()
	if name == "" {
		name = "all teammates"
	}
	title := "  " + name + ", score per " + tr.by.String() + ": ●⠤ " + v.periodName()
	if len(tr.before) > 0 {
		title += "  ∘∘ before"
	}
	title += "  ╌╌ target " + domain.FormatPermille(v.target)
	if !hasRatings(tr.points) {
		title += " · no ratings in this period"
	}
	if v.width < minChartWidth {
		return t.Muted.Render(fit(title, v.width)) + strings.Repeat("\n", h-1)
	}
	days := float64(max(tr.period.Days(), 1))
	ch := scoreChart(t, v.width, h-1, tr.period.From, days, v.target)
	before := trendPoints(tr.before, tr.prev.From)
	for i := 1; i < len(before); i++ {
		ch.DrawRuneLineWithStyle(before[i-1], before[i], '∘', t.Muted)
	}
	mine := trendPoints(tr.points, tr.period.From)
	for i := 1; i < len(mine); i++ {
		ch.DrawBrailleLineWithStyle(mine[i-1], mine[i], t.Accent)
	}
	for _, pt := range mine {
		ch.DrawRuneWithStyle(pt, '●', t.Accent)
	}
	return t.Muted.Render(fit(title, v.width)) + "\n" + ch.View()
}

func hasRatings(points []store.SeriesPoint) bool {
	for _, p := range points {
		if p.Counts.Rated() > 0 {
			return true
		}
	}
	return false
}

// trendPoints places each step with ratings in the middle of its days,
// counted from from (the period before is drawn over this one).
func trendPoints(points []store.SeriesPoint, from time.Time) []point {
	var out []point
	for _, p := range points {
		s, ok := p.Counts.Score()
		if !ok {
			continue
		}
		mid := float64(p.From.Unix()-from.Unix())/day + float64(p.To.Unix()-p.From.Unix())/(2*day)
		out = append(out, point{X: mid, Y: s * 100})
	}
	return out
}

// day is a day in seconds: spans of the store's times (1678 to 2261) are
// counted in Unix seconds, since a time.Duration ends at 292 years.
const day = 24 * 60 * 60

// daysBetween is the whole days from from to to.
func daysBetween(from, to time.Time) int { return int((to.Unix() - from.Unix()) / day) }

// dayLabel names the day v days after from on a chart of days days: the
// month and day, or over more than a year the month and year. It adds
// whole days as dates: a time.Duration ends at 292 years.
func dayLabel(from time.Time, v, days float64) string {
	at := from.AddDate(0, 0, int(v)).Add(time.Duration((v - float64(int(v))) * float64(24*time.Hour)))
	if days > 366 {
		return at.Format("Jan 2006")
	}
	return at.Format("Jan 2")
}

// scoreChart is an empty score chart (0–100%) over days from from, its
// axes labelled by date and percent, with the target as a dashed line:
// the teammate page and the team trend draw on it.
func scoreChart(t Theme, width, height int, from time.Time, days float64, targetPermille int) linechart.Model {
	ch := linechart.New(width, height, 0, days, 0, 100,
		linechart.WithXYSteps(4, 2),
		linechart.WithXLabelFormatter(func(_ int, v float64) string {
			return dayLabel(from, v, days)
		}),
		linechart.WithYLabelFormatter(func(_ int, v float64) string { return itoa(int(v+0.5)) + "%" }),
		linechart.WithStyles(t.Muted, t.Muted, t.Muted),
	)
	ch.DrawXYAxisAndLabel()
	target := float64(targetPermille) / 10
	ch.DrawRuneLineWithStyle(point{X: 0, Y: target}, point{X: days, Y: target}, '╌', t.Good)
	return ch
}
