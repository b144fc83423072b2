package domain

import (
	"errors"
	"time"
)

// Timeline applies a log in the order its events arrived, as a store does:
// a part earlier than its conversation's latest is placed at its time, and
// that conversation is rebuilt from the parts the timeline kept. It keeps
// the parts of the conversations in Keep only (nil keeps every one), so a
// replay of a large log holds just those that need it ([LateConversations]).
type Timeline struct {
	*Workspace
	Keep  map[string]bool
	parts map[string][]Event
}

// NewTimeline returns a timeline over w that keeps the parts of keep's
// conversations (every conversation's when keep is nil).
func NewTimeline(w *Workspace, keep map[string]bool) *Timeline {
	return &Timeline{Workspace: w, Keep: keep, parts: map[string][]Event{}}
}

// Apply applies ev; a late part of a kept conversation rebuilds it and
// returns the late part's outcome at its place. A late part of a
// conversation not kept is refused with [ErrLate].
func (t *Timeline) Apply(ev Event) (Outcome, error) {
	o, err := t.Workspace.Apply(ev)
	keep := ev.PartOf() != "" && (t.Keep == nil || t.Keep[ev.Conv])
	if errors.Is(err, ErrLate) && keep {
		parts := append(t.parts[ev.Conv], ev)
		before := t.Conversations[ev.Conv]
		outs, errs := t.Rebuild(ev.Conv, parts)
		if err = errs[len(errs)-1]; err != nil {
			t.Conversations[ev.Conv] = before
			return Outcome{}, err
		}
		o = outs[len(outs)-1]
	}
	if err == nil && keep {
		t.parts[ev.Conv] = append(t.parts[ev.Conv], ev)
	}
	return o, err
}

// LateConversations reads a log in arrival order and lists the
// conversations that hold a part earlier than one of theirs before it.
func LateConversations(each func(yield func(Event) error) error) (map[string]bool, error) {
	latest := map[string]time.Time{}
	late := map[string]bool{}
	err := each(func(ev Event) error {
		if ev.PartOf() == "" {
			return nil
		}
		if t, ok := latest[ev.Conv]; ok && ev.At.Before(t) {
			late[ev.Conv] = true
		} else {
			latest[ev.Conv] = ev.At
		}
		return nil
	})
	return late, err
}
