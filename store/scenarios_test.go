package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

func TestScenariosAreKeptByNameAndLeftOutOfCheck(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	if _, err := s.Apply(domain.Event{Kind: domain.EvClock, At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	script := "clock 2026-01-01T09:00:00Z\nstart c1 user:alice\nsay c1 user:alice \"\x1b]0;kept as typed\x07\"\n"
	for _, sc := range []Scenario{{Name: "first-close", By: "ada", SavedAt: at, Script: "old"}, {Name: "first-close", By: "ada", SavedAt: at, Script: script}, {Name: "b.2", SavedAt: at, Script: "x"}} {
		if err := s.SaveScenario(sc); err != nil {
			t.Fatalf("save %s: %v", sc.Name, err)
		}
	}
	for _, bad := range []string{"", "../etc/passwd", "a b", ".hidden", strings.Repeat("x", 65), "evil\x1b"} {
		if err := s.SaveScenario(Scenario{Name: bad, Script: "x"}); err == nil {
			t.Errorf("name %q was accepted", bad)
		}
	}
	if err := s.SaveScenario(Scenario{Name: "big", Script: strings.Repeat("x", MaxScenarioBytes+1)}); err == nil {
		t.Error("an oversized scenario was accepted")
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check with scenarios: %v %v", diffs, err)
	}
	s.Close()

	ro, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	got, ok, err := ro.Scenario("first-close")
	if err != nil || !ok || got.Script != script || got.By != "ada" || !got.SavedAt.Equal(at) {
		t.Fatalf("Scenario = %+v, %v, %v", got, ok, err)
	}
	if _, ok, err := ro.Scenario("missing"); ok || err != nil {
		t.Fatalf("missing scenario: %v %v", ok, err)
	}
	list, err := ro.Scenarios()
	if err != nil || len(list) != 2 || list[0].Name != "b.2" || list[1].Name != "first-close" {
		t.Fatalf("Scenarios = %+v, %v", list, err)
	}
	if err := ro.SaveScenario(Scenario{Name: "x"}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only save: %v", err)
	}
}

// TestScenariosOutliveAnErasure: forget rebuilds the store from the log;
// the saved scenarios, which no event logs, come along.
func TestScenariosOutliveAnErasure(t *testing.T) {
	s := openDir(t, t.TempDir())
	defer s.Close()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cust := domain.User("chloe")
	for _, ev := range []domain.Event{
		{Kind: domain.EvStart, Conv: "c1", Actor: cust, At: at},
		{Kind: domain.EvSay, Conv: "c1", Actor: cust, Text: "my secret address", At: at},
	} {
		if _, err := s.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	sc := Scenario{Name: "drill-1", By: "ada", SavedAt: at, Script: "clock 2026-01-01T09:00:00Z\n"}
	if err := s.SaveScenario(sc); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget(simulate.ReplayInto, domain.Erasure{Conversation: "c1", By: "ada", At: at}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Scenario("drill-1")
	if err != nil || !ok || got != sc {
		t.Fatalf("after forget: %+v %v %v", got, ok, err)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check after forget: %v %v", diffs, err)
	}
}
