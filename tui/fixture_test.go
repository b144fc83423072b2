package tui

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// testNow is the fixed wall clock of every test: ages and "updated" never move.
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// plainRenderer pins the colour profile so that goldens are the same on every machine.
func plainRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

// fixtureStore is an in-memory store with a small team and three weeks of
// ratings, built from fixed events: the same data on every run.
func fixtureStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	fillFixture(t, st)
	return st
}

// fillFixture writes the fixture's events into st.
func fillFixture(t testing.TB, st *store.Store) {
	t.Helper()
	apply := func(ev domain.Event) domain.Outcome {
		t.Helper()
		o, err := st.Apply(ev)
		if err != nil {
			t.Fatalf("fixture %s %s: %v", ev.Kind, ev.Conv, err)
		}
		return o
	}
	start := time.Date(2026, 2, 18, 9, 0, 0, 0, time.UTC)
	apply(domain.Event{Kind: domain.EvClock, At: start})
	for _, r := range []struct {
		name string
		role domain.Role
	}{{"ada", domain.RoleAdmin}, {"tom", domain.RoleTeammate}, {"bob", domain.RoleTeammate}, {"cleo", domain.RoleTeammate}, {"dan", domain.RoleTeammate}} {
		apply(domain.Event{Kind: domain.EvRole, By: r.name, Role: r.role, At: start})
	}
	apply(domain.Event{Kind: domain.EvSet, Setting: domain.SettingKey{Scope: "users", Name: "change-window"}, Text: "72", By: "ada", At: start})
	question := "Our nightly CSV export has failed three times this week with a timeout after thirty seconds. " +
		"It happens for every report, even the small ones, and the team needs those numbers every morning. Can you look?"
	answer := "Thanks for the detail. I found the slow query behind the export and a fix is rolling out now; " +
		"exports should finish in a few seconds again. I will keep an eye on tonight's run and confirm here."
	comments := map[int]string{5: "Amazing, fixed before lunch!", 4: "Quick and clear, thank you.", 1: "Nobody read my message properly.", 2: "Slow answer."}
	// Each teammate has a pattern of ratings, so the leaderboard has a story.
	patterns := map[string][]int{
		"ada":  {5, 5, 4, 5, 4, 5, 3, 5},
		"bob":  {4, 3, 5, 2, 4, 4, 1, 5, 4},
		"cleo": {1, 2, 3, 4, 1, 3, 2},
		"dan":  {5, 4},
		"tom":  {5, 4, 4, 3, 5, 5},
	}
	names := []string{"ada", "bob", "cleo", "dan", "tom"}
	n := 0
	at := start
	for round := 0; round < 9; round++ {
		for _, name := range names {
			p := patterns[name]
			if round >= len(p) {
				continue
			}
			n++
			at = at.Add(9 * time.Hour)
			conv := "c" + itoa(n)
			cust := domain.User("cust" + itoa(n))
			apply(domain.Event{Kind: domain.EvStart, Conv: conv, Actor: cust, At: at})
			apply(domain.Event{Kind: domain.EvSay, Conv: conv, Actor: cust, Text: question, At: at})
			apply(domain.Event{Kind: domain.EvSay, Conv: conv, Actor: domain.Teammate(name), Text: answer, At: at.Add(20 * time.Minute)})
			apply(domain.Event{Kind: domain.EvClose, Conv: conv, Actor: domain.Teammate(name), At: at.Add(30 * time.Minute)})
			v := p[round]
			apply(domain.Event{Kind: domain.EvRate, Conv: conv, Actor: cust, Value: v, At: at.Add(time.Hour)})
			if c, ok := comments[v]; ok && n%2 == 1 {
				apply(domain.Event{Kind: domain.EvComment, Conv: conv, Actor: cust, Text: c, At: at.Add(time.Hour)})
			}
		}
	}
	// A short chat that gets no survey, and a Fin conversation rated by its customer.
	at = at.Add(time.Hour)
	apply(domain.Event{Kind: domain.EvStart, Conv: "short", Actor: domain.Lead("visitor"), At: at})
	apply(domain.Event{Kind: domain.EvSay, Conv: "short", Actor: domain.Lead("visitor"), Text: "hi", At: at})
	apply(domain.Event{Kind: domain.EvSay, Conv: "short", Actor: domain.Teammate("bob"), Text: "hello!", At: at})
	apply(domain.Event{Kind: domain.EvNote, Conv: "short", Actor: domain.Teammate("bob"), Text: "probably a test visitor", At: at})
	apply(domain.Event{Kind: domain.EvClose, Conv: "short", Actor: domain.Teammate("bob"), At: at})
	apply(domain.Event{Kind: domain.EvStart, Conv: "bot1", Actor: domain.User("zoe"), Origin: domain.OriginWorkflow, At: at})
	apply(domain.Event{Kind: domain.EvSay, Conv: "bot1", Actor: domain.Fin, Text: strings.Repeat("Here is how to reset it. ", 3), At: at})
	apply(domain.Event{Kind: domain.EvAsk, Conv: "bot1", At: at})
	apply(domain.Event{Kind: domain.EvRate, Conv: "bot1", Actor: domain.User("zoe"), Value: 4, At: at})
	// One follow-up already claimed.
	items, err := st.FollowUps(store.FollowUpFilter{})
	if err != nil || len(items) == 0 {
		t.Fatalf("fixture follow-ups: %v, %d items", err, len(items))
	}
	apply(domain.Event{Kind: domain.EvFollowUp, Conv: items[0].Conv, Agent: items[0].Agent, Stage: domain.StageClaimed, By: "ada", Text: "calling them tomorrow", At: at})
}

// emptyStore is a first run: no teammates, no conversations.
func emptyStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newTestModel is a dashboard on the fixture, with a fixed clock and no ticking.
func newTestModel(t testing.TB, st *store.Store, viewer string) *Model {
	t.Helper()
	m, err := New(Options{Store: st, Viewer: viewer, Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, StoreName: "fixture", NoLive: true, Tick: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close) // before the store closes: reads still running finish first
	return m
}
