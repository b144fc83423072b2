package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNameEventsTakeAnyText(t *testing.T) {
	w := NewWorkspace()
	// Escapes stay in the store; the screens and exports defuse them.
	for _, name := range []string{"Chloé Dubois", "山田 太郎", "O'Brien-Ng", "Zoë 👩‍💻", "Eve\x1b[31mEvil"} {
		if _, err := w.Apply(Event{Kind: EvName, Actor: Teammate("5017001"), Text: name}); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	for _, bad := range []Event{
		{Kind: EvName, Text: "nobody"},
		{Kind: EvName, Actor: Teammate("1"), Text: "  "},
		{Kind: EvName, Actor: Teammate("1"), Text: "bad \xff utf-8"},
		{Kind: EvName, Actor: Teammate("1"), Text: strings.Repeat("x", MaxDisplayName+1)},
	} {
		if _, err := w.Apply(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if DisplayName(Teammate("bob"), "") != "bob" || DisplayName(Teammate("5017001"), "Chloé") != "Chloé" {
		t.Error("DisplayName: a script's name serves as both key and name")
	}
}

// A helpdesk's conversation leaves the survey to the helpdesk: closes and
// asks decide nothing, and what the helpdesk sent is observed.
func TestHelpdeskConversationsAreObservedNotDecided(t *testing.T) {
	w := NewWorkspace()
	at := t0.Add(time.Hour)
	long := strings.Repeat("x", MinChars+1)
	for _, ev := range []Event{
		{Kind: EvStart, At: at, Conv: "c1", Actor: User("ann"), By: "intercom"},
		{Kind: EvSay, At: at, Conv: "c1", Actor: User("ann"), Text: long},
		{Kind: EvSay, At: at, Conv: "c1", Actor: Teammate("bob"), Text: "done"},
	} {
		if _, err := w.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	o, err := w.Apply(Event{Kind: EvClose, At: at, Conv: "c1", Actor: Teammate("bob")})
	if err != nil || o.Decision != DecisionNone || len(w.Conversations["c1"].Slots) != 0 {
		t.Fatalf("close in a helpdesk conversation: %+v %v", o, err)
	}
	var tally Tally
	// A request the helpdesk reports, then its answer: a known send.
	req, err := w.Apply(Event{Kind: EvObserve, At: at, Conv: "c1", Actor: User("ann"), Agent: Teammate("bob"), Until: at})
	if err != nil || !req.Survey.NewSlot || req.Survey.Inferred || req.Rating.Changed() {
		t.Fatalf("request: %+v %v", req, err)
	}
	tally.Observe(&req)
	ans, _ := w.Apply(Event{Kind: EvObserve, At: at, Conv: "c1", Actor: User("ann"), Agent: Teammate("bob"), Value: 4, Until: at})
	tally.Observe(&ans)
	if c := tally.Agent(Teammate("bob")); c.Surveys != 1 || c.Inferred != 0 || c.Rated() != 1 {
		t.Fatalf("counts %+v", c)
	}
	if r, ok := tally.Agent(Teammate("bob")).ResponseRate(); !ok || r != 1 {
		t.Fatalf("response rate %v %v", r, ok)
	}
	// A rating with no reported request: the send is known only from it.
	must(t, w, Event{Kind: EvStart, At: at, Conv: "c2", Actor: User("cy"), By: "intercom"})
	o2, _ := w.Apply(Event{Kind: EvObserve, At: at, Conv: "c2", Actor: User("cy"), Agent: Teammate("bob"), Value: 5})
	tally.Observe(&o2)
	c := tally.Agent(Teammate("bob"))
	if n, ok := c.SurveysSent(); n != 2 || ok || c.Inferred != 1 {
		t.Fatalf("surveys %d known %v, counts %+v", n, ok, c)
	}
	if _, ok := c.ResponseRate(); ok {
		t.Fatal("a response rate over sends known only from their answers")
	}
	if FormatCount(c.SurveysSent()) != "—" {
		t.Fatal("unknown sends print as a number")
	}
}

func TestObservedRatingOlderThanStoredChangesNothing(t *testing.T) {
	w := NewWorkspace()
	at := t0.Add(time.Hour)
	must(t, w, Event{Kind: EvStart, At: at, Conv: "c1", Actor: User("ann"), By: "intercom"})
	rate := func(v int, updated time.Time) Outcome {
		t.Helper()
		o, err := w.Apply(Event{Kind: EvObserve, At: at, Conv: "c1", Actor: User("ann"), Agent: Teammate("bob"), Value: v, Updated: updated})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	rate(5, at.Add(2*time.Minute))
	if o := rate(3, at.Add(time.Minute)); o.Rating.Changed() || o.Queue.Moved {
		t.Fatalf("older rating moved something: %+v", o)
	}
	s := w.Conversations["c1"].Slot(Teammate("bob"))
	if s.Value != 5 || !s.LastChangedAt.Equal(at.Add(2*time.Minute)) {
		t.Fatalf("slot %+v", s)
	}
	if o := rate(2, at.Add(3*time.Minute)); o.Rating.Old != 5 || o.Rating.New != 2 {
		t.Fatalf("newer rating: %+v", o)
	}
	if _, err := w.Apply(Event{Kind: EvObserve, At: at, Conv: "c1", Actor: User("ann"), Agent: Teammate("bob"), Value: 6}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("value 6: %v", err)
	}
}

func must(t *testing.T, w *Workspace, ev Event) {
	t.Helper()
	if _, err := w.Apply(ev); err != nil {
		t.Fatal(err)
	}
}

// The newest display name wins whatever the delivery order; at equal times
// the later delivered; a name of a store that kept no times (zero) yields
// to any.
func TestNameSupersedes(t *testing.T) {
	t0 := time.Date(2019, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, c := range []struct {
		held, next time.Time
		want       bool
	}{
		{t0, t0.Add(time.Second), true},
		{t0, t0, true},
		{t0, t0.Add(-time.Nanosecond), false},
		{time.Time{}, t0, true},
		{t0, time.Time{}, false},
	} {
		if got := NameSupersedes(c.held, c.next); got != c.want {
			t.Errorf("held %v, next %v: %v, want %v", c.held, c.next, got, c.want)
		}
	}
}
