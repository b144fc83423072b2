package domain

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// A conversation's parts, stamped an hour apart from at: a close that
// qualifies, a rating, a comment.
func partsFrom(conv string, at time.Time) []Event {
	evs := []Event{
		{Kind: EvStart, Conv: conv, Actor: alice},
		{Kind: EvSay, Conv: conv, Actor: alice, Text: long},
		{Kind: EvSay, Conv: conv, Actor: bob, Text: long},
		{Kind: EvClose, Conv: conv, Actor: bob},
		{Kind: EvRate, Conv: conv, Actor: alice, Value: 2},
		{Kind: EvRate, Conv: conv, Actor: alice, Value: 4},
		{Kind: EvComment, Conv: conv, Actor: alice, Text: "ok"},
	}
	for i := range evs {
		evs[i].At = at.Add(time.Duration(i) * time.Hour)
	}
	return evs
}

func TestNoWorkspaceClock(t *testing.T) {
	w := NewWorkspace()
	// 2026 first, then 2019: conversations share no clock.
	for _, at := range []time.Time{t0, time.Date(2019, 5, 1, 9, 0, 0, 0, time.UTC)} {
		conv := "c" + at.Format("2006")
		for _, ev := range partsFrom(conv, at) {
			if _, err := w.Apply(ev); err != nil {
				t.Fatalf("%s %s at %s: %v", ev.Kind, conv, ev.At, err)
			}
		}
		if s := w.Conversations[conv].Slot(bob); s == nil || s.Value != 4 || !s.Commented {
			t.Fatalf("%s: slot %+v", conv, s)
		}
	}
}

func TestLatePartIsRefusedAndRebuildPlacesIt(t *testing.T) {
	parts := partsFrom("c", t0)
	w := NewWorkspace()
	for _, ev := range parts[:4] {
		if _, err := w.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	// The customer's message arrives after the close, stamped before it.
	late := Event{Kind: EvSay, Conv: "c", Actor: alice, Text: "and one more thing", At: t0.Add(150 * time.Minute)}
	before := *w.Conversations["c"]
	if _, err := w.Apply(late); !errors.Is(err, ErrLate) {
		t.Fatalf("late part: err %v, want ErrLate", err)
	}
	if c := w.Conversations["c"]; c.Chars != before.Chars || c.UpdatedAt != before.UpdatedAt {
		t.Fatal("a refused late part changed the conversation")
	}
	outs, errs := w.Rebuild("c", append(parts[:4:4], late))
	for i, err := range errs {
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	c := w.Conversations["c"]
	if c.Chars != before.Chars+len("and one more thing") || c.LastReplyAt != late.At || c.State != StateClosed {
		t.Fatalf("rebuilt %+v", c)
	}
	if outs[3].Decision != DecisionSent || c.UpdatedAt != parts[3].At {
		t.Fatalf("close after the late part: %s, updated %s", outs[3].Decision, c.UpdatedAt)
	}
}

func TestRebuildInAnyOrderGivesTheSameState(t *testing.T) {
	parts := partsFrom("c", t0)
	want := NewWorkspace()
	want.Rebuild("c", parts)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 50; i++ {
		shuffled := append([]Event(nil), parts...)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		w := NewWorkspace()
		w.Rebuild("c", shuffled)
		got, exp := w.Conversations["c"], want.Conversations["c"]
		if got.Chars != exp.Chars || got.State != exp.State || len(got.Slots) != 1 || got.Slots[0] != exp.Slots[0] {
			t.Fatalf("order %v: %+v, want %+v", shuffled, got, exp)
		}
	}
}

func TestSettingsTakeEffectAtTheirOwnTime(t *testing.T) {
	w := NewWorkspace()
	key := SettingKey{"users", "csat"}
	if _, err := w.Apply(Event{Kind: EvSet, At: t0.Add(2 * time.Hour), Setting: key, Text: "off"}); err != nil {
		t.Fatal(err)
	}
	// A change recorded later but stamped earlier: it is in force from its
	// time until the later change of the same key.
	if _, err := w.Apply(Event{Kind: EvSet, At: t0, Setting: SettingKey{"users", "rating-window"}, Text: "24"}); err != nil {
		t.Fatal(err)
	}
	if w.SettingsAt(t0.Add(-time.Second)) != DefaultSettings() {
		t.Fatal("settings before the first change are the defaults")
	}
	at1 := w.SettingsAt(t0.Add(time.Hour))
	if !at1.Users.CSAT || at1.Users.RatingWindowHours != 24 {
		t.Fatalf("at 1h: %+v", at1.Users)
	}
	at2 := w.SettingsAt(t0.Add(2 * time.Hour))
	if at2.Users.CSAT || at2.Users.RatingWindowHours != 24 || w.Settings != at2 {
		t.Fatalf("at 2h: %+v; panel %+v", at2.Users, w.Settings.Users)
	}
	// A close is judged under the settings in force at the close.
	parts := partsFrom("c", t0.Add(-3*time.Hour))
	for _, ev := range parts[:4] {
		w.Apply(ev)
	}
	if s := w.Conversations["c"].Slot(bob); s == nil {
		t.Fatal("a close before csat was turned off sends")
	}
	for _, ev := range partsFrom("d", t0.Add(-time.Hour))[:4] {
		w.Apply(ev)
	}
	if s := w.Conversations["d"].Slot(bob); s != nil {
		t.Fatal("a close after csat was turned off sends")
	}
}

func TestSlotCountsMatchTheOutcomes(t *testing.T) {
	w := NewWorkspace()
	var byOutcome, bySlot Tally
	for _, ev := range partsFrom("c", t0) {
		o, err := w.Apply(ev)
		if err != nil {
			t.Fatal(err)
		}
		byOutcome.Observe(&o)
	}
	s := w.Conversations["c"].Slot(bob)
	s.Counted(func(a Actor, at time.Time, d Counts) {
		if d.Surveys == 1 && !at.Equal(s.FirstRequestAt) || d.Rated() == 1 && !at.Equal(s.FirstRatedAt) {
			t.Errorf("counted at %s", at)
		}
		bySlot.counts(a).Add(d)
	})
	if byOutcome.Agent(bob) != bySlot.Agent(bob) {
		t.Fatalf("outcomes %+v, slot %+v", byOutcome.Agent(bob), bySlot.Agent(bob))
	}
}
