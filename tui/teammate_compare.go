package tui

// The teammate page's period before, drawn over its chart.

import "github.com/NimbleMarkets/ntcharts/linechart"

// drawBefore draws the agent's score in the period before over this one's
// days (∘), when the board compares.
func (p *teammatePage) drawBefore(ch *linechart.Model) {
	pts := p.points(p.before)
	for i := 1; i < len(pts); i++ {
		ch.DrawRuneLineWithStyle(pts[i-1], pts[i], '∘', p.c.theme.Muted)
	}
	if len(pts) == 1 {
		ch.DrawRuneWithStyle(pts[0], '∘', p.c.theme.Muted)
	}
}

// beforeLegend names the overlay, or says why there is none.
func (p *teammatePage) beforeLegend() string {
	switch {
	case !p.compared:
		return " (all time: nothing before to compare)"
	case len(p.points(p.before)) == 0:
		return "   (no ratings the period before)"
	}
	return "   ∘∘ the period before"
}
