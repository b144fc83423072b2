package tui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// to7d are the p presses from the first period (30d) to 7d.
var to7d = []string{"p", "p", "p", "p", "p", "p", "p"}

// TestGoldenLeaderboardScope renders the board with a team chosen, a
// filter and the Δ columns; the team trend chart; and the custom period's
// prompt refusing a period, at 100×30 and 80×24.
func TestGoldenLeaderboardScope(t *testing.T) {
	cases := []struct {
		name string
		keys []string
	}{
		{"team_filter_delta", append(append([]string{}, to7d...), "t", "t", "a")}, // Support, users only
		{"team_trend", append(append([]string{}, to7d...), "t", "t", "T")},
		{"period_prompt_error", []string{"P", "2026-02-01..2026-02-31", "enter"}},
	}
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				st := fixtureStore(t)
				addTeams(t, st)
				tm := teatest.NewTestModel(t, newTestModel(t, st, "ada"), teatest.WithInitialTermSize(size[0], size[1]))
				for _, k := range c.keys {
					tm.Send(keyMsg(k))
				}
				if c.name == "period_prompt_error" {
					// The prompt takes q as text: once the refusal shows, ctrl+c quits.
					teatest.WaitFor(t, tm.Output(), func(out []byte) bool {
						return bytes.Contains(out, []byte("want a day like"))
					}, teatest.WithDuration(programBound))
					tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
				} else {
					tm.Send(keyMsg("q"))
				}
				final := tm.FinalModel(t, teatest.WithFinalTimeout(programBound))
				golden.RequireEqual(t, []byte(final.View()))
			})
		}
	}
}

// TestTeamKeyCyclesTeams: t walks the workspace, each team by display
// name, and back; a team's board holds its members only, its sum on top.
func TestTeamKeyCyclesTeams(t *testing.T) {
	none := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	none.keys("t")
	none.contains("no teams yet: csat teams add", "all teams")
	st := fixtureStore(t)
	addTeams(t, st)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.contains("all teams", "Teams (each its members' sum)", "fin")
	d.keys("t")
	d.contains("team Billing & Accounts", "cleo", "dan", "ada")
	d.lacks("bob", "tom", "fin", "Teams (each")
	d.keys("t")
	d.contains("team Support", "bob", "tom")
	d.lacks("cleo")
	d.keys("t")
	d.contains("all teams", "cleo", "bob")
}

// TestFiltersReadTheSegmentCounters: c a o narrow the board to what the
// store's filtered leaderboard counts, and the line above names the filter.
func TestFiltersReadTheSegmentCounters(t *testing.T) {
	st := fixtureStore(t)
	addTeams(t, st)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys(to7d...)
	d.keys("c", "c") // email
	d.contains("channel email")
	email, _ := domain.ParseFilter("email", "", "")
	p, _ := store.ParsePeriod("7d", testNow)
	want, err := st.LeaderboardOf(p, email)
	if err != nil || want.Team.Rated() != 6 {
		t.Fatalf("the store's email board: %d ratings, %v", want.Team.Rated(), err)
	}
	teamLine(t, d, "6")
	d.keys("a", "a") // leads
	d.contains("channel email, audience leads")
	teamLine(t, d, "2")
	d.keys("o", "o") // outbound: no lead was reached outbound
	d.contains("origin outbound")
	teamLine(t, d, "0")
	d.keys("c", "a", "o") // all again
	d.contains("all conversations")
}

// teamLine asserts the board's top row counts rated ratings.
func teamLine(t *testing.T, d *driver, rated string) {
	t.Helper()
	var row string // the first after the column titles (the scope above may wrap)
	lines := strings.Split(d.view(), "\n")
	for i, l := range lines[:len(lines)-1] {
		if strings.Contains(l, "# name") {
			row = lines[i+1]
			break
		}
	}
	fields := strings.Fields(row)
	if len(fields) < 4 || fields[3] != rated {
		t.Errorf("team row %q: want %s rated", row, rated)
	}
}

// TestDeltaColumnsCompareWithThePeriodBefore: each row's Δ is domain's
// comparison of the period with the one before, of the same length; all
// time has none.
func TestDeltaColumnsCompareWithThePeriodBefore(t *testing.T) {
	st := fixtureStore(t)
	addTeams(t, st)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys(to7d...)
	p, _ := store.ParsePeriod("7d", testNow)
	prev, _ := p.Previous()
	cur, _ := st.LeaderboardOf(p, domain.Filter{})
	before, _ := st.LeaderboardOf(prev, domain.Filter{})
	d.contains("Δscore", "Δrated", "Δ vs Feb 25 – Mar 3")
	for _, r := range cur.Teammates {
		var was domain.Counts
		for _, b := range before.Teammates {
			if b.Agent == r.Agent {
				was = b.Counts
			}
		}
		delta := domain.Compare(r.Counts, was)
		if !rowHas(d.view(), r.Agent.Name, delta.ScoreCell(), delta.RatingsText()) {
			t.Errorf("%s's row lacks %s %s:\n%s", r.Agent.Name, delta.ScoreCell(), delta.RatingsText(), d.view())
		}
	}
	d.contains("▲", "▼")
	d.keys("p", "p", "p", "p", "p", "p") // all
	d.contains("all ")
	d.lacks("Δscore", "Δ vs")
}

func rowHas(view, name string, cells ...string) bool {
	for _, l := range strings.Split(view, "\n") {
		f := strings.Fields(l)
		if len(f) < 3 || !strings.Contains(l, " "+name+" ") {
			continue
		}
		ok := true
		for _, c := range cells {
			ok = ok && strings.Contains(l, " "+c+" ")
		}
		if ok {
			return true
		}
	}
	return false
}

// TestTrendKeyTogglesTheChart: T shows the team's score per step, the
// period before and the target, and hides it again.
func TestTrendKeyTogglesTheChart(t *testing.T) {
	st := fixtureStore(t)
	addTeams(t, st)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys("T")
	d.contains("all teammates, score per week: ●⠤ 30d", "∘∘ before", "╌╌ target 80%", "0%└")
	d.keys("t")
	d.contains("Billing & Accounts, score per week")
	d.keys("T")
	d.lacks("score per week", "0%└")
}

// TestCustomPeriodPrompt: P takes a FROM..TO, refuses a bad one with
// domain's reason in full while keeping the prompt (q is text there), and
// reads the period it accepts; p goes back to the named periods.
func TestCustomPeriodPrompt(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.keys("P")
	d.contains("from..to: 2026-02-09..2026-03-10")
	for range len("2026-02-09..2026-03-10") {
		d.keys("backspace")
	}
	d.keys("2026-03-01..2026-02-20", "enter")
	d.contains("✗ to 2026-02-20 is before from 2026-03-01", "from..to:")
	d.keys("q")
	if d.quit {
		t.Fatal("q typed into the prompt quit")
	}
	for range len("2026-03-01..2026-02-20q") {
		d.keys("backspace")
	}
	d.keys("2026-02-20..2026-02-26", "enter")
	d.lacks("from..to:", "✗")
	d.contains("2026-02-20..2026-02-26 Feb 20 – Feb 26", "Δ vs Feb 13 – Feb 19")
	d.keys("P")
	d.contains("from..to: 2026-02-20..2026-02-26")
	d.keys("enter") // nothing typed: the period shown stays
	d.lacks("from..to:", "✗")
	d.contains("2026-02-20..2026-02-26 Feb 20 – Feb 26")
	d.keys("P", "esc")
	d.lacks("from..to:")
	d.keys("p")
	d.contains("30d Feb 9 – Mar 10 ·")
}

// TestTeammatePageFollowsTheFilter: under a filter, a teammate's page
// counts and lists the ratings of that segment only.
func TestTeammatePageFollowsTheFilter(t *testing.T) {
	st := fixtureStore(t)
	addTeams(t, st)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys("c", "c", "/", "bob", "enter", "enter")
	d.contains("bob · 30d · channel email · 2 ratings", "ratings in 30d · channel email", "open follow-ups (0) · channel email")
	_, ratings, _ := strings.Cut(d.view(), "ratings in 30d")
	if !strings.Contains(ratings, "user:eve") || !strings.Contains(ratings, "lead:lee") || strings.Contains(ratings, "user:cust") {
		t.Errorf("bob's email ratings are eve's and lee's only:\n%s", ratings)
	}
}

// TestTeammatePageFollowUpsFollowTheFilter: a teammate's open follow-ups
// are those of the board's segment, as their ratings are, and one opens
// its conversation under the filter too.
func TestTeammatePageFollowUpsFollowTheFilter(t *testing.T) {
	st := fixtureStore(t)
	addTeams(t, st)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys("/", "cleo", "enter", "enter")
	d.contains("cleo · 30d · 9 ratings", "3 open follow-ups", "open follow-ups (3)")
	d.lacks("open follow-ups (3) ·")
	followUps := func() string {
		_, list, _ := strings.Cut(d.view(), "open follow-ups (")
		list, _, _ = strings.Cut(list, "ratings in 30d")
		return list
	}
	if list := followUps(); !strings.Contains(list, "user:cust3") || !strings.Contains(list, "lead:max") {
		t.Fatalf("cleo's follow-ups, unfiltered:\n%s", list)
	}
	d.keys("esc", "esc", "c", "c", "/", "cleo", "enter", "enter") // email
	d.contains("cleo · 30d · channel email · 2 ratings", "1 open follow-up", "open follow-ups (1) · channel email")
	if list := followUps(); strings.Contains(list, "user:cust") || !strings.Contains(list, "lead:max") {
		t.Fatalf("cleo's email follow-ups are lead:max's only:\n%s", list)
	}
	d.keys("enter") // the follow-up, under the cursor
	d.contains("· esc back", "terrible")
	d.lacks("open follow-ups (")
	d.keys("esc", "esc", "esc", "a", "/", "cleo", "enter", "enter") // email, users: max is a lead
	d.contains("channel email, audience users", "0 open follow-ups", "open follow-ups (0) · channel email, audience users")
}

// TestTeammatePageDrawsThePeriodBefore: compared, the page's chart draws
// the agent's period before (∘) and says so; all time says why it cannot.
func TestTeammatePageDrawsThePeriodBefore(t *testing.T) {
	st := fixtureStore(t)
	addTeams(t, st)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys(to7d...)
	d.keys("/", "bob", "enter", "enter")
	d.contains("bob · 7d", "∘∘ the period before")
	_, chart, _ := strings.Cut(d.view(), "100%")
	if !strings.Contains(chart, "∘") {
		t.Errorf("no ∘ of the period before in the chart:\n%s", d.view())
	}
	d.keys("esc", "p", "p", "p", "p", "p", "p", "enter") // the filter still holds bob
	d.contains("bob · all", "(all time: nothing before to compare)")
}

// TestTeammatePageShowsTheDisplayName: an agent known by a key (an
// Intercom id) is shown on its page by its display name, as on the board.
func TestTeammatePageShowsTheDisplayName(t *testing.T) {
	st := fixtureStore(t)
	if _, err := st.Apply(domain.Event{Kind: domain.EvName, Actor: domain.Teammate("bob"), Text: "Bob Marley", At: testNow.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys("/", "Marley", "enter", "enter")
	d.contains("Bob Marley · 30d · 9 ratings", "●⠤ Bob Marley", "Bob Marley · 30d")
}
