package tui

import (
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
)

func TestTeammatePageDrillsIntoAConversationAndBack(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.keys("down", "down", "down", "enter") // cleo
	d.contains("cleo · 30d · 7 ratings · score 14%", "open follow-ups (2)", "ratings in 30d, newest first (7)",
		"claimed · Nobody read my message properly.", "●", "╌╌ target")
	d.keys("enter") // the first open follow-up
	d.contains("· esc back", "remarks: “Nobody read my message properly.”")
	d.lacks("open follow-ups (")
	d.keys("esc")
	d.contains("cleo · 30d", "open follow-ups (2)")
	d.keys("esc")
	d.contains("30d · sort score · by score", "Bot agents")
	d.lacks("open follow-ups (")
}

func TestTeammatePageFollowsThePeriodAndLiveChanges(t *testing.T) {
	st := fixtureStore(t)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys("p", "enter") // 90d, ada
	d.contains("ada · 90d · 8 ratings", "ratings in 90d, newest first (8)")
	d.send(reloadMsg{}) // what the live feed delivers after a commit
	d.contains("ada · 90d · 8 ratings")
}

func TestEveryListOpensItsConversation(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.keys("2", "enter")
	d.contains("c3 · esc back", "[follow-up] claimed by ada: calling them tomorrow")
	d.keys("esc")
	d.contains("claimed ada", "threshold negative")
	d.keys("3", "enter")
	d.contains("c32 · esc back", "rated 😀 great for bob")
	d.keys("esc")
	d.contains("positive ratings 1/22 · newest first")
}

func TestWelcomeOnAnEmptyStoreUntilDataArrives(t *testing.T) {
	st := emptyStore(t)
	d := drive(t, newTestModel(t, st, ""), 80, 24)
	d.contains("Welcome to csat: this store is empty.", "csat --demo", "csat import intercom FILE",
		"csat sync intercom", "csat serve --users FILE", "csat simulate load", "To become admin", "no viewer (read-only)")
	d.keys("6")
	d.contains("There is no admin yet: to", "NAME admin KEYTYPE BASE64")
	d.lacks("Ask an admin.")
	d.keys("1")
	d.contains("Welcome to csat")
	if _, err := st.Apply(domain.Event{Kind: domain.EvRole, By: "ada", Role: domain.RoleAdmin, At: testNow}); err != nil {
		t.Fatal(err)
	}
	d.send(reloadMsg{}) // what the live feed delivers after the commit
	d.lacks("Welcome to csat")
	d.contains("no ratings in this period")
}

// With a filter set, esc in something opened from a list goes back first;
// the next esc clears the filter.
func TestEscGoesBackBeforeItClearsTheFilter(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.keys("/", "cleo", "enter", "enter")
	d.contains("cleo · 30d", "filter: cleo")
	d.keys("enter", "esc")
	d.contains("cleo · 30d", "filter: cleo")
	d.keys("esc")
	d.contains("sort score", "filter: cleo")
	d.keys("esc")
	d.lacks("filter:")
}

// A teammate's page says why a response rate shows 100% when the period
// holds more ratings than surveys (answers to surveys sent before it).
func TestTeammateSaysWhenItsResponseRateIsCapped(t *testing.T) {
	p := &teammatePage{}
	p.loaded = true
	p.row.Counts = domain.Counts{ByValue: [6]int{0, 0, 0, 0, 0, 5}, Surveys: 2}
	if got := p.summary(); !strings.Contains(got, "response 100% (more ratings than surveys: some answer earlier ones)") {
		t.Errorf("summary of 5 ratings of 2 surveys: %s", got)
	}
	p.row.Counts.Surveys = 5
	if got := p.summary(); !strings.Contains(got, "response 100% · ") {
		t.Errorf("summary of 5 ratings of 5 surveys: %s", got)
	}
}
