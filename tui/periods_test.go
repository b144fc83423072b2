package tui

import (
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

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

// TestLeaderboardTeamRows: with teams, the board ends with a row per team
// (its members' sum, any display name made safe), which opens no page.
func TestLeaderboardTeamRows(t *testing.T) {
	st := fixtureStore(t)
	for _, ev := range []domain.Event{
		{Kind: domain.EvTeam, Conv: "billing", Text: "Billing \u202e& Accounts", Agent: domain.Teammate("ada")},
		{Kind: domain.EvTeam, Conv: "billing", Agent: domain.Teammate("bob")},
		{Kind: domain.EvTeam, Conv: "vip", Text: "VIP 🌟", Agent: domain.Teammate("ada")},
	} {
		if _, err := st.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	d := drive(t, newTestModel(t, st, "ada"), 100, 40)
	d.keys("p", "p", "p", "p") // all
	d.contains("Teams (each its members' sum)", "VIP 🌟", "Billing")
	d.lacks("\u202e")
	lb, err := st.Leaderboard(store.Period{})
	if err != nil || len(lb.Teams) != 2 {
		t.Fatalf("teams %+v, %v", lb.Teams, err)
	}
	d.keys("G", "enter")
	d.contains("Teams (each its members' sum)") // still the board: a team has no page
}
