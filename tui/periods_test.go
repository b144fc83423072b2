package tui

import "testing"

// TestLeaderboardCyclesEveryPeriod: p walks domain's periods, this week,
// this month and last month included, and comes back round.
func TestLeaderboardCyclesEveryPeriod(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.contains("30d · sort score")
	for _, want := range []string{"90d ·", "this-week ·", "this-month ·", "last-month ·", "all ·", "today ·", "7d ·", "30d ·"} {
		d.keys("p")
		d.contains(want)
	}
}
