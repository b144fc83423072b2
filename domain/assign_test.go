package domain

import (
	"errors"
	"testing"
	"time"
)

// An assign event sets the conversation's team and moves nothing else; a
// late one is placed at its time, so the newest assignment wins; a team id
// that is no id is refused.
func TestAssignSetsTheTeamByTime(t *testing.T) {
	w := NewWorkspace()
	t0 := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	parts := []Event{
		{Kind: EvStart, At: at(0), Conv: "c", Actor: User("chloé")},
		{Kind: EvAssign, At: at(5), Conv: "c", Text: "5017691"},
		{Kind: EvAssign, At: at(9), Conv: "c", Text: ""},
		{Kind: EvAssign, At: at(7), Conv: "c", Text: "814"},
	}
	for _, ev := range parts[:3] {
		if _, err := w.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Apply(parts[3]); !errors.Is(err, ErrLate) {
		t.Fatalf("a late assign: %v, want ErrLate", err)
	}
	_, errs := w.Rebuild("c", parts)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	if c := w.Conversations["c"]; c.Team != "" || !c.TeamAt.Equal(at(9)) || c.Messages != 0 || len(c.Slots) != 0 {
		t.Fatalf("after the rebuild: team %q at %s, %+v", c.Team, c.TeamAt, c)
	}
	if _, err := w.Apply(Event{Kind: EvAssign, At: at(10), Conv: "c", Text: "bad id\x1b[2J"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a hostile team id: %v", err)
	}
}
