package report

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// queryStore holds two weeks of ratings: in the first, alice 😠 and bob
// 🤩; in the second, alice 🤩 twice (once by email from a lead) and bob 😐.
// alice is in billing and vip, bob in billing.
func queryStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var evs []domain.Event
	rate := func(at time.Time, conv, tm string, value int, cust domain.Actor, ch domain.Channel) {
		evs = append(evs,
			domain.Event{Kind: domain.EvStart, At: at, Conv: conv, Actor: cust, Channel: ch},
			domain.Event{Kind: domain.EvSay, At: at, Conv: conv, Actor: domain.Teammate(tm), Text: "done"},
			domain.Event{Kind: domain.EvAsk, At: at, Conv: conv},
			domain.Event{Kind: domain.EvRate, At: at, Conv: conv, Actor: cust, Value: value})
	}
	w1, w2 := day, day.AddDate(0, 0, 7) // Mondays
	rate(w1.Add(time.Hour), "c1", "alice", 1, domain.User("u1"), domain.ChannelMessenger)
	rate(w1.Add(2*time.Hour), "c2", "bob", 5, domain.User("u2"), domain.ChannelMessenger)
	rate(w2.Add(time.Hour), "c3", "alice", 5, domain.User("u3"), domain.ChannelMessenger)
	rate(w2.Add(2*time.Hour), "c4", "alice", 5, domain.Lead("l1"), domain.ChannelEmail)
	rate(w2.Add(3*time.Hour), "c5", "bob", 3, domain.User("u4"), domain.ChannelMessenger)
	evs = append(evs,
		domain.Event{Kind: domain.EvTeam, At: w2.Add(4 * time.Hour), Conv: "billing", Text: "Billing & Accounts", Agent: domain.Teammate("alice")},
		domain.Event{Kind: domain.EvTeam, At: w2.Add(4 * time.Hour), Conv: "billing", Agent: domain.Teammate("bob")},
		domain.Event{Kind: domain.EvTeam, At: w2.Add(4 * time.Hour), Conv: "vip", Text: "VIP 🌟", Agent: domain.Teammate("alice")})
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	return s
}

// The leaderboard of the second week against the first, with team rows
// and changes, as csat report --compare --format json gives it.
func TestQueryContract(t *testing.T) {
	s := queryStore(t)
	week2 := store.Period{From: day.AddDate(0, 0, 7), To: day.AddDate(0, 0, 14)}
	got, err := Run(s, Query{Period: week2, Compare: true})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "leaderboard_compare", got)
	alice := got.Teammates[0]
	if alice.Change.Direction != "up" || alice.Change.Score != "▲ +100 pts" || alice.Change.Ratings != 1 || got.Previous.From != "2026-03-02" {
		t.Errorf("alice's change %+v, previous %+v", alice.Change, got.Previous)
	}
	if len(got.Teams) != 2 || got.Teams[0].Ratings != 3 || got.Teams[1].Ratings != 2 || got.Team.Ratings != 3 {
		t.Errorf("billing %d and vip %d ratings, workspace %d: want 3, 2 and 3 (alice counts in both teams, once in the workspace)",
			got.Teams[0].Ratings, got.Teams[1].Ratings, got.Team.Ratings)
	}

	email := domain.ChannelEmail
	vip, err := Run(s, Query{Period: week2, Team: "VIP 🌟", Filter: domain.Filter{Channel: &email}})
	if err != nil {
		t.Fatal(err)
	}
	if vip.ForTeam != "vip" || vip.Team.Ratings != 1 || len(vip.Teammates) != 1 || vip.Filter.Channel != "email" || vip.Previous != nil || vip.Team.Change != nil {
		t.Errorf("vip by email: %+v", vip)
	}
	if _, err := Run(s, Query{Period: week2, Team: "nope"}); !errors.Is(err, ErrUnknownTeam) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown team: %v", err)
	}
	// All time has nothing before it.
	all, err := Run(s, Query{Compare: true})
	if err != nil || all.Previous != nil || all.Team.Change != nil {
		t.Errorf("all time compared: %+v, %v", all.Previous, err)
	}
}

// One teammate's weekly series, as csat report --agent NAME --by week gives it.
func TestSeriesContract(t *testing.T) {
	s := queryStore(t)
	p := store.Period{From: day.AddDate(0, 0, 3), To: day.AddDate(0, 0, 14)}
	got, err := RunSeries(s, domain.Teammate("alice"), domain.ByWeek, Query{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "series", got)
	if len(got.Points) != 2 || got.Points[0].Days != 4 || got.Points[0].Ratings != 0 || got.Points[1].Ratings != 2 {
		t.Errorf("points %+v", got.Points)
	}
	none, err := RunSeries(s, domain.Teammate("zed"), domain.ByMonth, Query{Period: p})
	b, _ := json.Marshal(none)
	if err != nil || len(none.Points) != 1 || none.Points[0].Ratings != 0 {
		t.Errorf("a teammate without ratings: %s, %v", b, err)
	}
	if _, err := s.Apply(domain.Event{Kind: domain.EvName, At: day.AddDate(0, 0, 20), Actor: domain.Teammate("alice"), Text: "Alice Martin"}); err != nil {
		t.Fatal(err)
	}
	named, err := RunSeries(s, domain.Teammate("alice"), domain.ByWeek, Query{Period: p})
	if err != nil || named.Agent != "Alice Martin" || named.AgentID != "alice" || named.Points[1].Agent != "Alice Martin" {
		t.Errorf("a series by its display name, as the leaderboard shows it: %+v, %v", named, err)
	}
	empty, _ := RunSeries(s, domain.Teammate("alice"), domain.ByWeek, Query{Period: store.Period{From: day, To: day}})
	if b, _ := json.Marshal(empty); !strings.Contains(string(b), `"points":[]`) {
		t.Errorf("an empty series: %s", b)
	}
}
