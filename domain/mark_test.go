package domain

import (
	"reflect"
	"testing"
)

func TestMarkEventRoundTrip(t *testing.T) {
	at := t0.Add(3600e9)
	ev := MarkEvent("intercom", []string{"notif/n1", "part/c1/7", "admin/9=Ann"}, at)
	want := Event{Kind: EvMark, At: at, By: "intercom", Keys: []string{"notif/n1", "part/c1/7", "admin/9=Ann"}}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("MarkEvent = %+v, want %+v", ev, want)
	}
	src, keys, ok := ev.MarkKeys()
	if !ok || src != "intercom" || !reflect.DeepEqual(keys, []string{"notif/n1", "part/c1/7", "admin/9=Ann"}) {
		t.Fatalf("MarkKeys = %q %q %v", src, keys, ok)
	}
	for _, other := range []Event{
		{Kind: EvClock, At: at},
		{Kind: EvClock, By: "intercom", Text: "seen x"}, // the old spelling: the store reads it as a mark
		{Kind: EvSay, By: "intercom", Keys: []string{"x"}},
	} {
		if _, _, ok := other.MarkKeys(); ok {
			t.Errorf("%+v read as a mark", other)
		}
	}
}

func TestMarkChangesNoRuleState(t *testing.T) {
	w := NewWorkspace()
	at := t0.Add(60e9)
	o, err := w.Apply(MarkEvent("intercom", []string{"k"}, at))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Conversations) != 0 || o.Survey.NewSlot || o.Rating.Changed() || w.History.Len() != 0 {
		t.Fatalf("a mark changed state: %d conversations, outcome %+v", len(w.Conversations), o)
	}
}
