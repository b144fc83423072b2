package tui

import (
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// minChartWidth leaves the chart a graph beside its Y labels and axis.
const minChartWidth = 20

// minNameCut is the fewest cells a name is cut to, to leave room for what
// follows it on a line.
const minNameCut = 12

// dailyUpTo is the longest period charted per day; longer ones are per week.
const dailyUpTo = 14

// chartHeight leaves the list at least half of what the header lines leave.
func (p *teammatePage) chartHeight() int { return max(min((p.height-4)*2/5, 10), 4) }

// listHeight is what the two header lines, the chart and its legend leave.
func (p *teammatePage) listHeight() int { return max(p.height-p.chartHeight()-3, 1) }

func (p *teammatePage) View() string {
	if p.stream.isOpen() {
		return p.stream.View()
	}
	t := p.c.theme
	c := p.row.Counts
	var b strings.Builder
	rest := " · " + p.periodName + " · " + counted(c.Rated(), "rating", "ratings") + " · score " + c.ScorePercent(0) +
		" · team " + p.teamCounts.ScorePercent(0) + " · target " + domain.FormatPermille(p.target)
	if c.MeetsTarget(p.target) {
		rest += " ✓"
	}
	title := "  " + clip(rowName(p.row), max(p.width-2-ansi.StringWidth(rest), minNameCut)) + rest // a long name is cut, not the score
	b.WriteString(t.Title.Render(fit(title, p.width)) + "\n")
	b.WriteString(fit(p.summary(), p.width) + "\n")
	b.WriteString(p.chart(p.width, p.chartHeight()) + "\n")
	b.WriteString(t.Muted.Render(fit(p.legend(), p.width)) + "\n")
	b.WriteString(p.listView())
	return b.String()
}

// summary is the counts by face, the response rate, the Wilson bound and the open follow-ups.
func (p *teammatePage) summary() string {
	c := p.row.Counts
	var b strings.Builder
	b.WriteString(" ")
	for val := 5; val >= 1; val-- {
		b.WriteString(" " + domain.Face(val) + " " + itoa(c.ByValue[val]))
	}
	b.WriteString(" · response " + c.ResponsePercent(0))
	if c.ResponseCapped() {
		b.WriteString(" (more ratings than surveys: some answer earlier ones)")
	}
	b.WriteString(" · Wilson " + domain.FormatShare(c.WilsonLower(), c.Rated() > 0))
	if p.loaded {
		b.WriteString(" · " + counted(len(p.followUps), "open follow-up", "open follow-ups"))
	} else {
		b.WriteString(" · open follow-ups loading…")
	}
	return b.String()
}

func (p *teammatePage) legend() string {
	per := "per week"
	if p.days() <= dailyUpTo {
		per = "per day"
	}
	rest := "   ··· team" + p.beforeLegend() + "   ╌╌ target · score " + per
	return "  ●⠤ " + clip(rowName(p.row), max(p.width-5-ansi.StringWidth(rest), minNameCut)) + rest
}

func (p *teammatePage) days() int { return daysBetween(p.period.From, p.period.To) }

// point is one day's or week's score: x in days from the period's start, y in percent.
type point = canvas.Float64Point

// points turns buckets of the period into one score per day or per week.
func (p *teammatePage) points(daily []store.DayCounts) []point {
	n, days := len(daily), p.days()
	if n == 0 || days <= 0 {
		return nil
	}
	group := 1
	if days > dailyUpTo {
		group = max(1, 7*n/days) // buckets per week
	}
	var out []point
	for i := 0; i < n; i += group {
		var sum domain.Counts
		for _, d := range daily[i:min(i+group, n)] {
			sum.Add(d.Counts())
		}
		if s, ok := sum.Score(); ok {
			// In the middle of its day or week.
			mid := float64(i*days)/float64(n) + float64(min(group, n-i)*days)/float64(2*n)
			out = append(out, point{X: mid, Y: s * 100})
		}
	}
	return out
}

// chart draws the agent's score (a line with a dot per point) over the
// team's (dotted) and the target (dashed), with ntcharts.
func (p *teammatePage) chart(width, height int) string {
	if width < minChartWidth {
		return strings.Repeat("\n", height-1) // too narrow to read; ntcharts needs room for its axes
	}
	t := p.c.theme
	days := float64(max(p.days(), 1))
	ch := scoreChart(t, width, height, p.period.From, days, p.target)
	p.drawBefore(&ch)
	team := p.points(p.team)
	for i := 1; i < len(team); i++ {
		ch.DrawRuneLineWithStyle(team[i-1], team[i], '·', t.Muted)
	}
	mine := p.points(p.row.Daily)
	for i := 1; i < len(mine); i++ {
		ch.DrawBrailleLineWithStyle(mine[i-1], mine[i], t.Accent)
	}
	for _, pt := range mine {
		ch.DrawRuneWithStyle(pt, '●', t.Accent)
	}
	return ch.View()
}

// tmColumns are the page list's columns; the text takes the rest.
var tmColumns = []column{
	{width: 2}, {width: 3}, {title: "age", width: 5, padRight: 1}, {title: "customer", width: 18, padRight: 1}, {title: "comment"},
}

func (p *teammatePage) listView() string {
	t := p.c.theme
	now := p.c.clock()
	visible := p.c.src.Settings().RatingVisibleTo(p.c.role)
	from, to := p.list.visible()
	var b strings.Builder
	if row, ok := p.placeholder(len(p.items), "cannot read "+rowName(p.row)+"'s ratings", ""); ok && p.err != nil {
		b.WriteString(row + "\n")
	}
	var rows [][]string
	first := from
	flush := func() {
		if len(rows) > 0 {
			g := grid{theme: t, cols: tmColumns, width: p.width - 2, noHeader: true, rowStyle: p.rowStyle(first, nil)}
			b.WriteString(g.render(rows) + "\n")
		}
		rows = rows[:0]
	}
	for i := from; i < to; i++ {
		it := p.items[i]
		if it.header != "" {
			flush()
			b.WriteString(t.Header.Render(fit(p.cursorMark(i)+it.header, p.width)) + "\n")
			first = i + 1
			continue
		}
		face, text := domain.Face(it.value), it.text
		if !visible {
			face, text = "·", "(ratings hidden from teammates)"
		} else if text == "" {
			text = t.Muted.Render(domain.FaceName(it.value))
		}
		rows = append(rows, []string{p.cursorMark(i), face, age(now, it.at), p.c.person(it.customer), text})
	}
	flush()
	return strings.TrimSuffix(b.String(), "\n")
}
