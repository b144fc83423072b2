package domain

import (
	"errors"
	"testing"
	"time"
)

func TestObserveRecordsAFactAndMovesCounters(t *testing.T) {
	w := NewWorkspace()
	at := t0.Add(time.Hour)
	mustApply := func(ev Event) Outcome {
		t.Helper()
		o, err := w.Apply(ev)
		if err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
		return o
	}
	mustApply(Event{Kind: EvStart, At: at, Conv: "c1", Actor: User("ann")})
	mustApply(Event{Kind: EvSay, At: at, Conv: "c1", Actor: Teammate("bob"), Text: "short"})
	// Too short for the rules, yet Intercom sent a survey: the fact wins.
	o := mustApply(Event{Kind: EvClose, At: at, Conv: "c1", Actor: Teammate("bob")})
	if o.Decision != DecisionSkipped {
		t.Fatalf("close decided %s, want skipped", o.Decision)
	}
	asked := at.Add(-time.Minute)
	o = mustApply(Event{Kind: EvObserve, At: at.Add(time.Hour), Conv: "c1", Actor: User("ann"), Agent: Teammate("bob"), Value: 1, Text: "slow", Until: asked})
	if !o.Survey.NewSlot || o.Survey.At != asked || o.Rating.Old != 0 || o.Rating.New != 1 || !o.Queue.Moved {
		t.Fatalf("outcome %+v", o)
	}
	var tally Tally
	tally.Observe(&o)
	// A later observation changes the value even after the comment: it is a fact.
	o2 := mustApply(Event{Kind: EvObserve, At: at.Add(2 * time.Hour), Conv: "c1", Actor: User("ann"), Agent: Teammate("bob"), Value: 4, Until: asked})
	if o2.Survey.NewSlot || o2.Rating.Old != 1 || o2.Rating.New != 4 {
		t.Fatalf("second outcome %+v", o2)
	}
	tally.Observe(&o2)
	c := tally.Agent(Teammate("bob"))
	if c.Surveys != 1 || c.Rated() != 1 || c.Positive() != 1 {
		t.Fatalf("counts %+v", c)
	}
	s := w.Conversations["c1"].Slot(Teammate("bob"))
	if s.FirstRatedAt != asked || s.Comment != "slow" || !s.Commented || w.Conversations["c1"].Newest() != s {
		t.Fatalf("slot %+v", s)
	}
}

func TestObserveRefusesBadInputAndChangesNothing(t *testing.T) {
	w := NewWorkspace()
	if _, err := w.Apply(Event{Kind: EvStart, Conv: "c1", Actor: Lead("x")}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ev   Event
		want error
	}{
		{Event{Kind: EvObserve, Conv: "c1", Actor: Lead("x"), Agent: Teammate("bob"), Value: 6}, ErrInvalid},
		{Event{Kind: EvObserve, Conv: "c1", Actor: Lead("y"), Agent: Teammate("bob"), Value: 3}, ErrNotInConversation},
		{Event{Kind: EvObserve, Conv: "c1", Actor: Lead("x"), Agent: User("z"), Value: 3}, ErrActor},
		{Event{Kind: EvObserve, Conv: "nope", Actor: Lead("x"), Agent: Teammate("bob"), Value: 3}, ErrUnknownConversation},
	}
	for _, tc := range cases {
		if _, err := w.Apply(tc.ev); !errors.Is(err, tc.want) {
			t.Errorf("%+v: err %v, want %v", tc.ev, err, tc.want)
		}
	}
	if len(w.Conversations["c1"].Slots) != 0 || w.Conversations["c1"].Requested {
		t.Fatalf("a refused observation changed the conversation")
	}
}
