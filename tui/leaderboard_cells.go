package tui

import (
	"strings"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// bar draws positive, neutral and negative shares; the glyphs differ so the
// bar still reads without colour.
func (v *leaderboard) bar(c domain.Counts, width int) string {
	n := c.Rated()
	if n == 0 || width == 0 {
		return fit("", width)
	}
	pos := c.Positive() * width / n
	neg := c.Negative() * width / n
	neu := width - pos - neg
	if c.Neutral() == 0 {
		// Rounding leftovers go to the larger side instead of inventing neutrals.
		if c.Positive() >= c.Negative() {
			pos += neu
		} else {
			neg += neu
		}
		neu = 0
	}
	t := v.c.theme
	return t.Good.Render(strings.Repeat("█", pos)) + t.Neutral.Render(strings.Repeat("▒", neu)) + t.Bad.Render(strings.Repeat("░", neg))
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the score per bucket of days; a bucket with no ratings is a dot.
func (v *leaderboard) sparkline(daily []store.DayCounts, width int) string {
	n := len(daily)
	if n == 0 {
		return fit("", width)
	}
	w := min(width, n)
	var b strings.Builder
	for i := 0; i < w; i++ {
		var sum domain.Counts
		for _, d := range daily[i*n/w : (i+1)*n/w] {
			sum.Add(d.Counts())
		}
		s, ok := sum.Score()
		if !ok {
			b.WriteRune('·')
			continue
		}
		b.WriteRune(sparks[min(int(s*float64(len(sparks))), len(sparks)-1)])
	}
	return fit(b.String(), width)
}

// teamDaily sums the teammates' days for the team row's trend.
func teamDaily(rows []store.AgentRow) []store.DayCounts {
	var out []store.DayCounts
	for _, r := range rows {
		if out == nil {
			out = make([]store.DayCounts, len(r.Daily))
		}
		for i := range r.Daily {
			if i < len(out) {
				out[i].Add(r.Daily[i])
			}
		}
	}
	return out
}
