package domain

import (
	"reflect"
	"testing"
	"time"
)

// LateConversations lists the conversations holding a part earlier than
// one before it; workspace events are no conversation's parts, a team's
// events included, whose Conv names the team.
func TestLateConversations(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	team := func(m int, id string) Event {
		return Event{Kind: EvTeam, At: at(m), Conv: id, Text: "Billing", Agent: Teammate("bob"), Value: TeamJoin}
	}
	cases := []struct {
		name string
		log  []Event
		want map[string]bool
	}{
		{"in order", []Event{
			{Kind: EvStart, At: at(0), Conv: "c"}, {Kind: EvSay, At: at(1), Conv: "c"}, {Kind: EvAssign, At: at(2), Conv: "c", Text: "t1"},
		}, map[string]bool{}},
		{"a late message", []Event{
			{Kind: EvStart, At: at(0), Conv: "c"}, {Kind: EvClose, At: at(5), Conv: "c"}, {Kind: EvSay, At: at(1), Conv: "c"},
		}, map[string]bool{"c": true}},
		{"a late assignment", []Event{
			{Kind: EvStart, At: at(0), Conv: "c"}, {Kind: EvClose, At: at(5), Conv: "c"}, {Kind: EvAssign, At: at(1), Conv: "c", Text: "t1"},
		}, map[string]bool{"c": true}},
		{"team events in any order", []Event{
			team(5, "t1"), team(1, "t1"), {Kind: EvStart, At: at(0), Conv: "c"}, team(0, "t1"),
		}, map[string]bool{}},
		{"a team named like a conversation", []Event{
			{Kind: EvStart, At: at(3), Conv: "x"}, team(1, "x"), {Kind: EvSay, At: at(4), Conv: "x"},
		}, map[string]bool{}},
		{"conversations in any order", []Event{
			{Kind: EvStart, At: at(9), Conv: "b"}, {Kind: EvStart, At: at(0), Conv: "a"}, {Kind: EvSet, At: at(-5)},
			{Kind: EvRole, At: at(-6)}, {Kind: EvName, At: at(-7)}, {Kind: EvClock, At: at(-8)},
		}, map[string]bool{}},
	}
	for _, tc := range cases {
		got, err := LateConversations(func(yield func(Event) error) error {
			for _, ev := range tc.log {
				if err := yield(ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// A team's events are no parts of a conversation of the same id: the
// conversation is rebuilt from its own parts, and the team's event is
// refused as none of its parts.
func TestRebuildRefusesATeamEvent(t *testing.T) {
	w := NewWorkspace()
	parts := []Event{
		{Kind: EvStart, At: t0, Conv: "x", Actor: User("ann")},
		{Kind: EvTeam, At: t0.Add(time.Minute), Conv: "x", Text: "Billing", Value: TeamJoin, Agent: Teammate("bob")},
	}
	_, errs := w.Rebuild("x", parts)
	if errs[0] != nil || errs[1] == nil {
		t.Fatalf("errs %v", errs)
	}
	if w.Teams["x"] != nil {
		t.Fatal("the rebuild applied a team event")
	}
}
