package store

import (
	"errors"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
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

// nameEvents renames one admin three times, a minute apart.
func nameEvents(mate domain.Actor) []domain.Event {
	at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	var evs []domain.Event
	for i, name := range []string{"Chloe", "Chloé Dubois", "Chloé D."} {
		evs = append(evs, domain.Event{Kind: domain.EvName, At: at.Add(time.Duration(i) * time.Minute), Actor: mate, Text: name, By: "chloe@example.com"})
	}
	return evs
}

// The newest name shown wins whatever order the payloads carrying them
// arrive in, one batch each or all in one, and the directory agrees with a
// replay of the log.
func TestNewestNameWinsWhateverTheDeliveryOrder(t *testing.T) {
	mate := domain.Teammate("5017005")
	evs := nameEvents(mate)
	for _, order := range [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
		for _, oneBatch := range []bool{false, true} {
			dir := t.TempDir()
			s := openDir(t, dir)
			var batch []domain.Event
			for _, i := range order {
				batch = append(batch, evs[i])
				if !oneBatch {
					if _, err := s.ApplyBatch(batch); err != nil {
						t.Fatal(err)
					}
					batch = nil
				}
			}
			if len(batch) > 0 {
				if _, err := s.ApplyBatch(batch); err != nil {
					t.Fatal(err)
				}
			}
			if n := s.DisplayName(mate); n != "Chloé D." {
				t.Errorf("order %v, one batch %v: %q, want the newest", order, oneBatch, n)
			}
			if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
				t.Errorf("order %v: check: %v %v", order, diffs, err)
			}
			s.Close()
			s = openDir(t, dir)
			if _, _, at := s.NameSeen(mate); !at.Equal(evs[2].At) {
				t.Errorf("order %v: after reopen the name was seen at %v, want %v", order, at, evs[2].At)
			}
			s.Close()
		}
	}
}

// A schema-7 store kept the last delivered name, without its time: a
// read-only open refuses it, and a writable open stamps the newest name
// from the log, exactly as this build writes the directory.
func TestSchema7StoreGetsTheNewestNameAtAWritableOpen(t *testing.T) {
	mate := domain.Teammate("5017005")
	evs := nameEvents(mate)
	dir := t.TempDir()
	s := openDir(t, dir)
	for _, i := range []int{2, 0} { // the newest, then an older one late
		if _, err := s.ApplyBatch(evs[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	want := dumpKeys(t, s)
	unfoldParts(t, s)
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(nameKey(mate), encodeName(Name{Display: evs[0].Text, Email: evs[0].By})); err != nil {
			return err
		}
		return txn.Set(keySchema, encodeSchema(7))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if ro, err := Open(Options{Dir: dir, ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
		if err == nil {
			ro.Close()
		}
		t.Fatalf("read-only open of a schema-7 store: %v, want ErrOlderSchema", err)
	}
	s = openDir(t, dir)
	defer s.Close()
	if n := s.DisplayName(mate); n != "Chloé D." {
		t.Fatalf("after the upgrade: %q, want the newest", n)
	}
	if got := dumpKeys(t, s); got != want {
		t.Fatalf("after the upgrade the store differs from one this build wrote:\n%s", firstDiff(got, want))
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Errorf("check after the upgrade: %v %v", diffs, err)
	}
}

// A name record of schema 7 (no time) still reads, and one with a time
// round-trips.
func TestNameRecordsWithAndWithoutTheirTime(t *testing.T) {
	for _, n := range []Name{{Display: "山田 太郎"}, {Display: "Chloé", Email: "c@example.com", At: time.Date(2019, 3, 4, 5, 6, 7, 8, time.UTC)}} {
		var got Name
		if err := decodeName(encodeName(n), &got); err != nil || got != n {
			t.Errorf("%+v round-trips as %+v (%v)", n, got, err)
		}
	}
	old := enc{}
	old.str("Chloé")
	old.str("")
	if got := encodeName(Name{Display: "Chloé"}); string(got) != string(old.b) {
		t.Errorf("a name without a time is %x, want schema 7's %x", got, old.b)
	}
}
