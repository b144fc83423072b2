package simulate

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/csat-app/csat/domain"
)

// Options tune a run.
type Options struct {
	// Profile, when set, replaces every profile the script chooses.
	Profile *domain.Profile
	// OnStep receives each trace step as it happens; nil discards them.
	OnStep func(Step)
}

// Failure is an expectation that did not hold.
type Failure struct {
	File    string
	Line    int
	Message string // "expected sent to bob, got skipped: too_short (212/250 chars)"
}

// String gives FILE:LINE: expected …, got ….
func (f Failure) String() string { return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message) }

// Result sums up a run that had no script error.
type Result struct {
	Expectations int
	Failures     []Failure
}

// Run drives b with every command of s, on the script's own clock: it reads
// ScriptStart until a clock sets it, and from the first conversation
// command on it may only stay or move forward. Settings given before that
// command take effect at the time it runs at. The script keeps its
// timeline whatever b holds: conversations share no clock. Run stops at
// the first command the workspace cannot apply and returns it as a
// *ScriptError; a failed expectation does not stop the run. Run never
// changes s, so a script can be run first in memory, then for real.
func Run(s *Script, b Backend, opt Options) (Result, error) {
	start := s.startTime()
	r := &runner{s: s, b: b, opt: opt, snoozed: map[string]bool{}, now: start, start: start}
	if opt.Profile != nil {
		ev := domain.Event{Kind: domain.EvSet, Setting: profileKey, Text: opt.Profile.String(), At: start}
		if _, err := b.Apply(ev); err != nil {
			return r.res, fmt.Errorf("%s: --profile %s: %w", s.Name, opt.Profile, err)
		}
	}
	for i := range s.Commands {
		if err := r.command(&s.Commands[i]); err != nil {
			return r.res, err
		}
	}
	return r.res, nil
}

// errClockBack is a clock command that moves a script's clock back once
// its conversations have started.
var errClockBack = errors.New("clock moved back")

// startTime is the time the script's first conversation command runs at:
// the clock and waits before it set it, from ScriptStart.
func (s *Script) startTime() time.Time {
	t := ScriptStart
	for i := range s.Commands {
		c := &s.Commands[i]
		switch {
		case c.Event.Conv != "":
			return t
		case c.Verb == "clock":
			t = c.Clock
		case c.Verb == "wait":
			t = t.Add(c.Span)
		}
	}
	return t
}

type runner struct {
	s   *Script
	b   Backend
	opt Options
	res Result
	// now is the script's clock; start is where it stands at the first
	// conversation command, and started is set once one ran.
	now, start time.Time
	started    bool
	// lastSurvey and lastResponse are what sent/skipped and accepted/refused look at.
	lastSurvey, lastResponse *domain.Outcome
	// snoozed holds the conversations this run snoozed, to report their wake-ups.
	snoozed map[string]bool
}

func (r *runner) emit(s Step) {
	if r.opt.OnStep != nil {
		r.opt.OnStep(s)
	}
}

func (r *runner) step(cmd *Command, at time.Time) Step {
	return Step{File: r.s.Name, Line: cmd.Line, At: at, Cmd: cmd.Verb, Conv: cmd.Event.Conv, Display: cmd.Display}
}

func (r *runner) command(cmd *Command) error {
	now := r.now
	if cmd.Expect != nil {
		return r.expect(cmd, now)
	}
	if cmd.SetsProfile() && r.opt.Profile != nil {
		st := r.step(cmd, now)
		st.Note = "ignored: --profile " + r.opt.Profile.String() + " is in force"
		r.emit(st)
		return nil
	}
	ev := cmd.Event
	ev.At = now
	if !r.started {
		// Settings before the first conversation command are in force from
		// the time the script starts at.
		ev.At = r.start
		r.started = cmd.Event.Conv != ""
	}
	switch cmd.Verb {
	case "clock":
		if r.started && cmd.Clock.Before(now) {
			return r.scriptError(cmd, fmt.Errorf("%w: %s is before %s", errClockBack, cmd.Clock.Format(time.RFC3339), now.Format(time.RFC3339)))
		}
		ev.At = cmd.Clock
	case "wait":
		ev.At = now.Add(cmd.Span)
	case "snooze":
		ev.Until = now.Add(cmd.Span)
	}
	o, err := r.b.Apply(ev)
	if err != nil {
		return r.scriptError(cmd, err)
	}
	if ev.Kind == domain.EvClock {
		r.now = ev.At
		r.wakeUps(cmd, now, r.now)
	}
	switch ev.Kind {
	case domain.EvSnooze:
		r.snoozed[ev.Conv] = true
	case domain.EvClose, domain.EvAsk:
		r.lastSurvey = &o
	case domain.EvRate, domain.EvComment:
		r.lastResponse = &o
	}
	st := r.step(cmd, ev.At)
	st.Outcome = &o
	if ev.Kind == domain.EvSnooze {
		st.Note = "snoozed until " + clockText(ev.Until)
	}
	r.emit(st)
	return nil
}

// wakeUps reports, in order, the snoozes that ended in (from, to]. The
// domain decides when a snooze has ended (Conversation.StateAt); the runner
// only notices it for the trace.
func (r *runner) wakeUps(cmd *Command, from, to time.Time) {
	type wake struct {
		id string
		at time.Time
	}
	var wakes []wake
	for id := range r.snoozed {
		c, ok := r.b.Conversation(id)
		if !ok || c.StateAt(from) != domain.StateSnoozed {
			delete(r.snoozed, id)
			continue
		}
		if c.StateAt(to) != domain.StateSnoozed {
			wakes = append(wakes, wake{id, c.SnoozedUntil})
			delete(r.snoozed, id)
		}
	}
	slices.SortFunc(wakes, func(a, b wake) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return compareStrings(a.id, b.id)
	})
	for _, w := range wakes {
		r.emit(Step{File: r.s.Name, Line: cmd.Line, At: w.at, Cmd: "wake", Conv: w.id,
			Display: w.id + " wakes up", Note: "snooze ended"})
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r *runner) expect(cmd *Command, now time.Time) error {
	e := cmd.Expect
	ok, got, err := e.check(r.b, r.lastSurvey, r.lastResponse)
	if err != nil {
		return r.scriptError(cmd, err)
	}
	r.res.Expectations++
	st := r.step(cmd, now)
	st.Conv = e.Conv
	st.Expect = &ExpectResult{OK: ok}
	if !ok {
		st.Expect.Message = "expected " + e.Source + ", got " + got
		r.res.Failures = append(r.res.Failures, Failure{File: r.s.Name, Line: cmd.Line, Message: st.Expect.Message})
	}
	r.emit(st)
	return nil
}

// scriptError points a domain error at the word of the command it is about.
func (r *runner) scriptError(cmd *Command, err error) error {
	col := cmd.cols.verb
	switch {
	case errors.Is(err, errClockBack), errors.Is(err, domain.ErrInvalid):
		col = cmd.cols.value
	case errors.Is(err, domain.ErrUnknownConversation), errors.Is(err, domain.ErrConversationExists), errors.Is(err, domain.ErrState):
		col = cmd.cols.conv
	case errors.Is(err, domain.ErrNotInConversation), errors.Is(err, domain.ErrActor):
		col = cmd.cols.actor
	}
	if col == 0 {
		col = cmd.cols.verb
	}
	msg := err.Error()
	if errors.Is(err, domain.ErrConversationExists) {
		// Run into a store, a script's ids may meet another script's or an
		// import's: say which id, and that it must be new.
		msg = fmt.Sprintf("%s (conversation ids must be new to the workspace: rename %s in the script)", msg, cmd.Event.Conv)
	}
	return &ScriptError{File: r.s.Name, Line: cmd.Line, Col: col, Msg: msg, Err: err}
}
