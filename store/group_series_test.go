package store

import (
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// A group's series is the sum of its members' series, point by point, and
// a filtered page of an agent's ratings holds only the segment asked for.
func TestGroupSeriesAndFilteredRatings(t *testing.T) {
	s, err := Open(Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	monday := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var evs []domain.Event
	rate := func(at time.Time, conv, tm string, value int, ch domain.Channel) {
		cust := domain.User("u-" + conv)
		evs = append(evs,
			domain.Event{Kind: domain.EvStart, At: at, Conv: conv, Actor: cust, Channel: ch},
			domain.Event{Kind: domain.EvSay, At: at, Conv: conv, Actor: domain.Teammate(tm), Text: "done"},
			domain.Event{Kind: domain.EvAsk, At: at, Conv: conv},
			domain.Event{Kind: domain.EvRate, At: at, Conv: conv, Actor: cust, Value: value})
	}
	rate(monday, "c1", "alice", 5, domain.ChannelMessenger)
	rate(monday.AddDate(0, 0, 1), "c2", "bob", 1, domain.ChannelEmail)
	rate(monday.AddDate(0, 0, 8), "c3", "alice", 2, domain.ChannelEmail)
	rate(monday.AddDate(0, 0, 9), "c4", "carol", 5, domain.ChannelMessenger)
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	p := Period{From: monday.Truncate(24 * time.Hour), To: monday.AddDate(0, 0, 14).Truncate(24 * time.Hour)}
	group := []domain.Actor{domain.Teammate("alice"), domain.Teammate("bob"), domain.Teammate("nobody")}
	got, err := s.GroupSeries(group, p, domain.Filter{}, domain.ByWeek)
	if err != nil || len(got) != 2 {
		t.Fatalf("group series %+v, %v", got, err)
	}
	for i, want := range []int{2, 1} {
		var sum domain.Counts
		for _, a := range group {
			one, err := s.Series(a, p, domain.Filter{}, domain.ByWeek)
			if err != nil {
				t.Fatal(err)
			}
			sum.Add(one[i].Counts)
		}
		if got[i].Counts != sum || got[i].Counts.Rated() != want {
			t.Errorf("week %d: %+v, want the members' sum %+v (%d ratings)", i, got[i].Counts, sum, want)
		}
	}
	email, _ := domain.ParseFilter("email", "", "")
	pg, err := s.AgentRatingsOf(domain.Teammate("alice"), p, email, PageQuery{Limit: 10})
	if err != nil || len(pg.Items) != 1 || pg.Items[0].Conv != "c3" {
		t.Errorf("alice's email ratings: %+v, %v", pg.Items, err)
	}
	all, err := s.AgentRatings(domain.Teammate("alice"), p, PageQuery{Limit: 10})
	if err != nil || len(all.Items) != 2 {
		t.Errorf("alice's ratings: %+v, %v", all.Items, err)
	}
}
