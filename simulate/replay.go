package simulate

import (
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
)

// ReplayOptions shape a replay of logged events.
type ReplayOptions struct {
	// Overrides pin settings: the replay starts with them and ignores the
	// log's own changes of those keys.
	Overrides []Override
	// Profile, when set, pins the rule profile: an override of
	// workspace.profile.
	Profile *domain.Profile
	// Lenient passes over the events the rules refuse (the step carries the
	// error) instead of ending the replay: for comparisons that are about
	// decisions, not about the log.
	Lenient bool
	// Late lists the conversations with late parts (domain.LateConversations),
	// whose parts the replay keeps so that it places a late one as the store
	// did. Replay finds them itself when Late is nil.
	Late map[string]bool
	// Skip leaves events out of the replay; the callback still sees them,
	// marked Skipped.
	Skip func(domain.Event) bool
}

// ReplayStep is one logged event and what the replay made of it.
type ReplayStep struct {
	N       int          // position in the log, from 1
	Event   domain.Event // as logged
	Outcome domain.Outcome
	// Err is the rules' refusal of the event, in a lenient replay.
	Err error
	// Skipped is set for events ReplayOptions.Skip left out, Pinned for a
	// change of a pinned setting, of which only the time was replayed.
	Skipped, Pinned bool
}

// Applied reports whether the event went through the rules.
func (s *ReplayStep) Applied() bool { return s.Err == nil && !s.Skipped && !s.Pinned }

// Replayer replays a log, one event at a time and in log order, into a
// fresh in-memory workspace; each event is judged at its own time against
// its own conversation, and a late part is placed as the store placed it.
// [Replay] drives one; a comparison of two settings steps two in lockstep.
type Replayer struct {
	opt    ReplayOptions
	pinned map[domain.SettingKey]bool
	mem    *Memory
	tl     *domain.Timeline
	n      int
	latest time.Time
}

// NewReplayer checks the options' overrides against the settings rules.
func NewReplayer(opt ReplayOptions) (*Replayer, error) {
	r := &Replayer{opt: opt, pinned: map[domain.SettingKey]bool{}}
	pins := opt.Overrides
	if opt.Profile != nil {
		pins = append(pins[:len(pins):len(pins)], Override{Key: profileKey, Value: opt.Profile.String()})
	}
	// Pinned settings are the base of all times: the log's changes of
	// other keys build on them.
	ws := domain.NewWorkspace()
	for _, o := range pins {
		if err := ws.Settings.Set(o.Key, o.Value); err != nil {
			return nil, fmt.Errorf("override %s: %w", o, err)
		}
		r.pinned[o.Key] = true
	}
	r.mem = &Memory{ws: ws}
	r.tl = domain.NewTimeline(ws, opt.Late)
	if opt.Late == nil {
		r.tl.Keep = map[string]bool{}
	}
	return r, nil
}

// Latest is the time of the newest conversation event replayed so far.
func (r *Replayer) Latest() time.Time { return r.latest }

// Forget drops conv, and the parts kept of it, from the replay: once its
// last part is replayed nothing reads it again.
func (r *Replayer) Forget(conv string) { r.tl.Forget(conv) }

// Memory is the workspace replayed so far.
func (r *Replayer) Memory() *Memory { return r.mem }

// Step replays one event. In a strict replay an event the rules refuse is
// returned as an error naming it; in a lenient one it is in the step.
func (r *Replayer) Step(ev domain.Event) (ReplayStep, error) {
	r.n++
	st := ReplayStep{N: r.n, Event: ev}
	switch {
	case r.opt.Skip != nil && r.opt.Skip(ev):
		st.Skipped = true
		return st, nil
	case ev.Kind == domain.EvSet && r.pinned[ev.Setting]:
		st.Pinned = true
		return st, nil
	}
	if ev.Conv != "" && ev.At.After(r.latest) {
		r.latest = ev.At
	}
	o, err := r.tl.Apply(ev)
	if err == nil {
		r.mem.observe(ev, &o)
	}
	switch {
	case err == nil:
		st.Outcome = o
	case r.opt.Lenient || st.Pinned:
		st.Err = err
	default:
		return st, fmt.Errorf("event %d (%s %s at %s) does not replay: %w", st.N, ev.Kind, ev.Conv, ev.At.UTC().Format(time.RFC3339), err)
	}
	return st, nil
}

// Replay replays every event of src under opt, calling onStep (if not nil)
// after each; an error from onStep ends the replay and is returned. It is
// the one replay behind what-if, the simulator's other-profile line and the
// observed comparison; it returns the workspace it ends with.
func Replay(src EventSource, opt ReplayOptions, onStep func(*ReplayStep) error) (*Memory, error) {
	if opt.Late == nil {
		late, err := domain.LateConversations(src)
		if err != nil {
			return nil, err
		}
		opt.Late = late
	}
	r, err := NewReplayer(opt)
	if err != nil {
		return nil, err
	}
	err = src(func(ev domain.Event) error {
		st, err := r.Step(ev)
		if err != nil {
			return err
		}
		if onStep != nil {
			return onStep(&st)
		}
		return nil
	})
	return r.Memory(), err
}

// ReplayBatch is how many events ReplayInto commits at a time.
const ReplayBatch = 2000

// ReplayInto replays src, strictly and as logged, into dst, a fresh
// destination that commits batches (an in-memory store for csat check, a
// scratch store for an erasure). After each batch it hands onOutcome (if
// not nil) every event's position in src, from 1, and the outcome dst
// decided; an error from it ends the replay and is returned as is. It is
// generic so that the store can take it as a plain function without
// importing this package: store.Check(simulate.ReplayInto).
func ReplayInto[S ~func(yield func(domain.Event) error) error, L interface {
	ApplyBatch([]domain.Event) ([]domain.Outcome, error)
}](src S, dst L, onOutcome func(n int, o *domain.Outcome) error) error {
	buf := make([]domain.Event, 0, ReplayBatch)
	n := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		got, err := dst.ApplyBatch(buf)
		first := n - len(buf) + 1
		buf = buf[:0]
		if err != nil {
			return fmt.Errorf("replaying the log up to event %d: %w", n, err)
		}
		if onOutcome == nil {
			return nil
		}
		for i := range got {
			if err := onOutcome(first+i, &got[i]); err != nil {
				return err
			}
		}
		return nil
	}
	err := src(func(ev domain.Event) error {
		n++
		buf = append(buf, ev)
		if len(buf) < ReplayBatch {
			return nil
		}
		return flush()
	})
	if err != nil {
		return err
	}
	return flush()
}
