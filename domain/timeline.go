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

// Forget drops conv and the parts kept of it: a replay that has applied a
// conversation's last part holds only the conversations still under way.
func (t *Timeline) Forget(conv string) {
	delete(t.Conversations, conv)
	delete(t.parts, conv)
}

// LateConversations reads a log in arrival order and lists the
// conversations that hold a part earlier than one of theirs before it.
func LateConversations(each func(yield func(Event) error) error) (map[string]bool, error) {
	f := NewLateFinder()
	err := each(func(ev Event) error {
		f.Late(ev)
		return nil
	})
	return f.Conversations, err
}

// LateFinder is LateConversations one event at a time, for a reader that
// acts on the first late part as it arrives.
type LateFinder struct {
	at     map[string]int // a conversation's place in latest
	latest []time.Time    // the time of each conversation's latest part so far
	free   []int          // places in latest that Forget let go of
	// Conversations lists those with a late part so far.
	Conversations map[string]bool
}

// NewLateFinder returns a finder that has seen no event.
func NewLateFinder() *LateFinder {
	return &LateFinder{at: map[string]int{}, Conversations: map[string]bool{}}
}

// Late takes the next event in arrival order and reports whether it is a
// part earlier than one of its conversation's before it.
func (f *LateFinder) Late(ev Event) bool {
	if ev.PartOf() == "" {
		return false
	}
	i, ok := f.at[ev.Conv]
	switch {
	case !ok && len(f.free) > 0:
		i = f.free[len(f.free)-1]
		f.free = f.free[:len(f.free)-1]
		f.at[ev.Conv], f.latest[i] = i, ev.At
	case !ok:
		f.at[ev.Conv] = len(f.latest)
		f.latest = append(f.latest, ev.At)
	case IsLate(ev.At, f.latest[i]):
		f.Conversations[ev.Conv] = true
		return true
	default:
		f.latest[i] = ev.At
	}
	return false
}

// Forget drops what the finder holds of conv, once its last part has
// arrived; Conversations keeps it if it was late.
func (f *LateFinder) Forget(conv string) {
	if i, ok := f.at[conv]; ok {
		delete(f.at, conv)
		f.free = append(f.free, i)
	}
}
