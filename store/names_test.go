package store

import (
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// A name given after the rating fills in its row; a rename shows on all
// history; both survive a reopen and agree with a replay of the log.
func TestDisplayNamesFillInAndRename(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Hour)
	mate := domain.Teammate("5017005")
	evs := []domain.Event{
		{Kind: domain.EvStart, At: at, Conv: "c1", Actor: domain.User("c-bob"), By: "intercom"},
		{Kind: domain.EvObserve, At: at, Conv: "c1", Actor: domain.User("c-bob"), Agent: mate, Value: 4, Until: at},
	}
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	if n := s.DisplayName(mate); n != "5017005" {
		t.Fatalf("before any name: %q, want the key", n)
	}
	for _, name := range []string{"山田 太郎", "Taro Yamada"} {
		if _, err := s.ApplyBatch([]domain.Event{{Kind: domain.EvName, At: at.Add(time.Minute), Actor: mate, Text: name}}); err != nil {
			t.Fatal(err)
		}
		lb, err := s.Leaderboard(Period{})
		if err != nil || len(lb.Teammates) != 1 || lb.Teammates[0].Display != name || lb.Teammates[0].Counts.ByValue[4] != 1 {
			t.Fatalf("after naming %q: %+v %v", name, lb.Teammates, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDir(t, dir)
	defer s.Close()
	if n := s.DisplayName(mate); n != "Taro Yamada" {
		t.Fatalf("after reopen: %q", n)
	}
	if names := s.Names(); len(names) != 1 || names[0].Actor != mate {
		t.Fatalf("names %+v", names)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// Counters written before the inferred count existed read unchanged, and
// those with it round-trip.
func TestCountsWithAndWithoutInferred(t *testing.T) {
	for _, c := range []domain.Counts{{Surveys: 3, ByValue: [6]int{0, 1, 0, 0, 0, 2}}, {Surveys: 2, Inferred: 2}, {}} {
		e := enc{}
		e.counts(&c)
		d := dec{b: e.b}
		if got := d.counts(); got != c || d.done("counts") != nil {
			t.Errorf("%+v read back as %+v", c, got)
		}
	}
}

// Forgetting a customer forgets the name and email Intercom gave them.
func TestForgetCustomerForgetsTheirName(t *testing.T) {
	s := openMemLarge(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Hour)
	bob := domain.User("c-bob")
	if _, err := s.ApplyBatch([]domain.Event{
		{Kind: domain.EvStart, At: at, Conv: "c1", Actor: bob, By: "intercom"},
		{Kind: domain.EvSay, At: at, Conv: "c1", Actor: bob, Text: "my order"},
		{Kind: domain.EvName, At: at, Actor: bob, Text: "Bob Secret", By: "bob@example.com"},
		{Kind: domain.EvName, At: at, Actor: domain.Teammate("5017001"), Text: "Chloé Dubois"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget(simulate.ReplayInto, domain.Erasure{Customer: "c-bob", By: "test"}); err != nil {
		t.Fatal(err)
	}
	if d, e := s.NameOf(bob); d != domain.Redact("Bob Secret") || e != "" {
		t.Fatalf("after the erasure: %q %q", d, e)
	}
	if d, _ := s.NameOf(domain.Teammate("5017001")); d != "Chloé Dubois" {
		t.Fatalf("a teammate's name went too: %q", d)
	}
}
