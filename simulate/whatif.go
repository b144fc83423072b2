package simulate

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
)

// Override pins one setting for a what-if replay: the replay starts with it
// and ignores the log's own changes of that key.
type Override struct {
	Key   domain.SettingKey
	Value string
}

// String gives the CLI spelling, KEY=VALUE.
func (o Override) String() string { return o.Key.String() + "=" + o.Value }

// ParseOverride reads KEY=VALUE, e.g. users.direct-outbound=off, checking the
// key and the value with the domain's settings rules.
func ParseOverride(s string) (Override, error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return Override{}, fmt.Errorf("%q: want KEY=VALUE, e.g. users.direct-outbound=off", s)
	}
	k, err := domain.ParseSettingKey(strings.TrimSpace(key))
	if err != nil {
		return Override{}, err
	}
	o := Override{Key: k, Value: strings.TrimSpace(value)}
	st := domain.DefaultSettings()
	if err := st.Set(o.Key, o.Value); err != nil {
		return Override{}, err
	}
	return o, nil
}

// EventSource calls yield for every logged event, in log order, until yield
// returns an error, which it returns. A store's event log adapts to it in a
// line.
type EventSource func(yield func(domain.Event) error) error

// EventSlice is an EventSource over events held in memory.
func EventSlice(evs []domain.Event) EventSource {
	return func(yield func(domain.Event) error) error {
		for _, ev := range evs {
			if err := yield(ev); err != nil {
				return err
			}
		}
		return nil
	}
}

// SurveyTally counts the decisions of the closes and asks in a what-if window.
type SurveyTally struct {
	Closes  int
	Asks    int
	Sent    int
	Skipped int
	// SkippedBy counts each failed rule of the skipped ones: a skip can fail several.
	SkippedBy ReasonCounts
	// Ratings counts first ratings accepted in the window: a survey not sent
	// cannot be answered.
	Ratings int
	// RefusedRatings counts first ratings refused in the window (the
	// rating window had closed); RefusedChanges counts changed ratings and
	// comments refused (the change window had closed, or a comment locked
	// the rating).
	RefusedRatings int
	RefusedChanges int
}

// WhatIfReport compares what happened with what the same events would have
// done under the overrides. Its wire form is report.WhatIf.
type WhatIfReport struct {
	Since     time.Time
	Until     time.Time // the time of the newest conversation event
	Overrides []Override
	// Events counts the events replayed: the workspace's and those of the
	// conversations touched in the window; through a store's index of
	// decisions (WhatIfOfDecisions) only those of the conversations it
	// decides again, a helpdesk's, those with late parts and the newest.
	Events int
	// Redecided counts the events replayed under the overrides too: the
	// workspace's, and those of conversations that read an overridden
	// setting; every other conversation's decisions are the actual ones.
	Redecided int
	Actual    SurveyTally
	WhatIf    SurveyTally
	// NowSent and NowSkipped count the closes and asks in the window whose
	// decision flips: skipped that would be sent, and sent that would be skipped.
	NowSent    int
	NowSkipped int
	// Inapplicable counts events of the window the overrides make
	// impossible, which the what-if replay leaves out: a follow-up of a
	// rating that was never given, for instance.
	Inapplicable int
	// Helpdesk compares the conversations a helpdesk decided (Intercom's),
	// which Actual and WhatIf leave out.
	Helpdesk HelpdeskWhatIf
}

// HelpdeskWhatIf compares, in the conversations a helpdesk decided, the
// rules' decisions under the settings as recorded with theirs under the
// overrides: decided against decided. What the helpdesk itself sent is
// observed, not decided here, so it is on neither side (whatif --against
// observed compares it with the rules).
type HelpdeskWhatIf struct {
	// Conversations counts those with a close or ask in the window.
	Conversations int
	Current       SurveyTally
	WhatIf        SurveyTally
	NowSent       int
	NowSkipped    int
}

// WhatIf replays events twice, as they happened and under the overrides,
// each into a fresh workspace, and counts the decisions of the events at or
// after since. Every rule reads only the event's conversation and the
// workspace, so events may be the whole history or only the workspace
// events and the conversations touched since (a store's EventsSince): the
// window's decisions are the same. Setting changes in the log apply to both,
// except those of an overridden key, which stays pinned in the what-if.
// A conversation whose decisions read no overridden key
// ([domain.Conversation.ReadsSetting]) decides under the overrides as it
// did, so only the replay as it happened decides it, for both sides.
// A helpdesk's conversations are decided by the rules in both replays and
// counted apart, in Helpdesk; its observed ratings are facts and are not
// replayed. A conversation with late parts is counted once all its parts
// are in their place (by time, equal times in log order), as if they had
// arrived in order, when its last part arrives. An event of another
// conversation that the actual replay refuses means the log is
// inconsistent: it is returned as an error naming the event.
func WhatIf(events EventSource, overrides []Override, since time.Time) (WhatIfReport, error) {
	return whatIf(lastParts(events), overrides, since, false)
}

// WhatIfReplayingAll is WhatIf with every conversation decided again under
// the overrides, whether it reads them or not: the plain replay that
// WhatIf's report must equal, for tests to compare.
func WhatIfReplayingAll(events EventSource, overrides []Override, since time.Time) (WhatIfReport, error) {
	return whatIf(lastParts(events), overrides, since, true)
}

// whatIf reads events once when no part of them is late but those the
// source names: it replays them as if none were, and only when another
// late part arrives, or the log does not replay, does it start again
// knowing the conversations with late parts (a reading of its own), the
// way that holds in every case.
func whatIf(events WindowEvents, overrides []Override, since time.Time, replayAll bool) (WhatIfReport, error) {
	rep, err := whatIfKnowingLate(events, overrides, since, replayAll, nil)
	if err == nil || !errors.Is(err, errLatePart) && !errors.Is(err, errDoesNotReplay) {
		return rep, err // done, or the source failed: reading it again would not help
	}
	late, err := lateIn(events)
	if err != nil {
		return rep, err
	}
	return whatIfKnowingLate(events, overrides, since, replayAll, late)
}

// errLatePart ends a replay that assumed no part is late; errDoesNotReplay
// an event refused in a conversation not known to have late parts, which
// knowing them may explain.
var (
	errLatePart      = errors.New("a late part")
	errDoesNotReplay = errors.New("does not replay")
)

// whatIfKnowingLate is the what-if of events whose conversations with
// late parts are late, and those the source names; nil stands for none
// but those, until a part says otherwise, which ends it with errLatePart.
// It holds the conversations under way: each is counted, and let go of,
// at its last part.
func whatIfKnowingLate(events WindowEvents, overrides []Override, since time.Time, replayAll bool, late map[string]bool) (WhatIfReport, error) {
	w := &whatIfRun{since: since, replayAll: replayAll, helpdesk: map[string]bool{}, counted: map[string]bool{}, held: map[string][]domain.Event{},
		rep: WhatIfReport{Since: since, Overrides: overrides, Actual: newSurveyTally(), WhatIf: newSurveyTally(),
			Helpdesk: HelpdeskWhatIf{Current: newSurveyTally(), WhatIf: newSurveyTally()}}}
	if late == nil {
		late, w.finder = map[string]bool{}, domain.NewLateFinder()
	}
	observed := func(ev domain.Event) bool { return ev.Kind == domain.EvObserve }
	var err error
	w.actual, _ = NewReplayer(ReplayOptions{Late: late, Lenient: true, Skip: observed})
	w.variant, err = NewReplayer(ReplayOptions{Overrides: overrides, Lenient: true, Late: late, Skip: observed})
	if err != nil {
		return w.rep, err
	}
	err = events(func(ev domain.Event, last, isLate bool) error {
		if isLate && ev.PartOf() != "" {
			late[ev.Conv] = true
		}
		if err := w.step(ev, late[ev.Conv]); err != nil {
			return err
		}
		if last && ev.PartOf() != "" {
			w.finish(ev.Conv)
			delete(late, ev.Conv)
		}
		if heldSeen != nil {
			heldSeen(w.holds())
		}
		return nil
	})
	if err == nil {
		w.finishHeld()
	}
	w.rep.Until = w.actual.Latest()
	return w.rep, err
}

// heldSeen, when set, is called after each event with the number of
// conversations the what-if holds: for the tests.
var heldSeen func(conversations int)

// holds is the number of conversations the what-if holds: its replays',
// and of those, the ones it holds the parts of or knows a helpdesk's.
func (w *whatIfRun) holds() int {
	return max(len(w.actual.Memory().Workspace().Conversations), len(w.variant.Memory().Workspace().Conversations), len(w.held), len(w.helpdesk))
}

// step replays ev in both replays and counts it, or holds it when its
// conversation has late parts.
func (w *whatIfRun) step(ev domain.Event, late bool) error {
	if w.finder != nil && !late && w.finder.Late(ev) {
		return errLatePart
	}
	w.rep.Events++
	if ev.Kind == domain.EvStart && ev.By != "" {
		w.helpdesk[ev.Conv] = true
		ev.By = "" // the rules decide it, in both replays
	}
	a, _ := w.actual.Step(ev)
	v := a
	if !IsReplayedPart(ev) || w.reads(w.actual.Memory().Workspace().Conversations[ev.Conv]) {
		v, _ = w.variant.Step(ev)
		w.rep.Redecided++
	}
	if late && IsReplayedPart(ev) {
		w.held[ev.Conv] = append(w.held[ev.Conv], ev) // counted in place, at the last part
		return nil
	}
	return w.tally(&a, &v, false)
}

// reads reports whether the overrides can change a decision of c, as the
// actual replay holds it: a conversation it does not hold (its start was
// refused) is replayed under the overrides too.
func (w *whatIfRun) reads(c *domain.Conversation) bool {
	if w.replayAll || c == nil {
		return true
	}
	for _, o := range w.rep.Overrides {
		if c.ReadsSetting(o.Key) {
			return true
		}
	}
	return false
}

// whatIfRun is one what-if's tallies as the replays go.
type whatIfRun struct {
	rep       WhatIfReport
	since     time.Time
	replayAll bool // decide every conversation under the overrides, read or not
	actual    *Replayer
	variant   *Replayer
	finder    *domain.LateFinder        // late parts not known before, when none are
	helpdesk  map[string]bool           // conversations a helpdesk decided, under way
	counted   map[string]bool           // of those, the ones with a close or ask in the window
	held      map[string][]domain.Event // the parts of conversations with late parts, under way
}

// tally counts one event's steps in both replays. A refusal of the actual
// replay is an inconsistent log, except in a helpdesk's conversation (the
// rules never decided it) and in a conversation with late parts (a part
// may wait for others, as the store allows).
func (w *whatIfRun) tally(a, v *ReplayStep, late bool) error {
	ev := &a.Event
	switch {
	case a.Err != nil && !w.helpdesk[ev.Conv] && !late:
		return fmt.Errorf("event %d (%s %s at %s) %w: %w", a.N, ev.Kind, ev.Conv, ev.At.UTC().Format(time.RFC3339), errDoesNotReplay, a.Err)
	case a.Err != nil, ev.At.Before(w.since):
		return nil // not a decision of the rules under either setting, or not of the window
	case v.Err != nil:
		w.rep.Inapplicable++
	}
	if !w.helpdesk[ev.Conv] {
		w.rep.count(a, v)
		return nil
	}
	h := &w.rep.Helpdesk
	if (ev.Kind == domain.EvClose || ev.Kind == domain.EvAsk) && !w.counted[ev.Conv] {
		w.counted[ev.Conv] = true
		h.Conversations++
	}
	countWhatIf(&h.Current, ev.Kind, &a.Outcome, true)
	countWhatIf(&h.WhatIf, ev.Kind, &v.Outcome, v.Err == nil)
	h.NowSent, h.NowSkipped = flips(ev.Kind, a, v, h.NowSent, h.NowSkipped)
	return nil
}

// finish lets go of conv once its last part is replayed, counting it in
// place first if it has late parts.
func (w *whatIfRun) finish(conv string) {
	if parts, ok := w.held[conv]; ok {
		w.tallyInPlace(conv, parts)
		delete(w.held, conv)
	}
	w.actual.Forget(conv)
	w.variant.Forget(conv)
	if w.finder != nil {
		w.finder.Forget(conv)
	}
	delete(w.helpdesk, conv)
	delete(w.counted, conv)
}

// finishHeld counts the conversations with late parts whose last part
// the source did not mark, in the order of their ids.
func (w *whatIfRun) finishHeld() {
	convs := make([]string, 0, len(w.held))
	for c := range w.held {
		convs = append(convs, c)
	}
	sort.Strings(convs)
	for _, conv := range convs {
		w.finish(conv)
	}
}

// tallyInPlace counts a conversation with late parts: it is applied
// afresh in both workspaces, its parts in time order, and counted in that
// order.
func (w *whatIfRun) tallyInPlace(conv string, parts []domain.Event) {
	actual, variant := w.actual.Memory().Workspace(), w.variant.Memory().Workspace()
	outsA, errsA := actual.Rebuild(conv, parts)
	outsV, errsV := outsA, errsA
	if w.reads(actual.Conversations[conv]) {
		outsV, errsV = variant.Rebuild(conv, parts)
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return parts[order[x]].At.Before(parts[order[y]].At) })
	for _, i := range order {
		a := ReplayStep{Event: parts[i], Outcome: outsA[i], Err: errsA[i]}
		v := ReplayStep{Event: parts[i], Outcome: outsV[i], Err: errsV[i]}
		_ = w.tally(&a, &v, true)
	}
}

// IsReplayedPart reports whether ev is a part of its conversation that
// the what-if and the observed comparison replay: not a workspace event,
// nor an observed rating.
func IsReplayedPart(ev domain.Event) bool {
	switch ev.Kind {
	case domain.EvClock, domain.EvSet, domain.EvRole, domain.EvObserve, domain.EvMark, domain.EvName, domain.EvTeam:
		return false
	}
	return ev.Conv != ""
}

func newSurveyTally() SurveyTally { return SurveyTally{SkippedBy: ReasonCounts{}} }

// count tallies one step of both replays in the simulated conversations.
func (rep *WhatIfReport) count(a, v *ReplayStep) {
	countWhatIf(&rep.Actual, a.Event.Kind, &a.Outcome, true)
	countWhatIf(&rep.WhatIf, v.Event.Kind, &v.Outcome, v.Err == nil)
	rep.NowSent, rep.NowSkipped = flips(a.Event.Kind, a, v, rep.NowSent, rep.NowSkipped)
}

// flips adds a close or ask whose decision differs between the replays to
// nowSent (skipped that would be sent) or nowSkipped (sent that would be
// skipped).
func flips(kind domain.EventKind, a, v *ReplayStep, nowSent, nowSkipped int) (int, int) {
	if (kind != domain.EvClose && kind != domain.EvAsk) || v.Err != nil {
		return nowSent, nowSkipped
	}
	switch {
	case a.Outcome.Decision == domain.DecisionSent && v.Outcome.Decision == domain.DecisionSkipped:
		nowSkipped++
	case a.Outcome.Decision == domain.DecisionSkipped && v.Outcome.Decision == domain.DecisionSent:
		nowSent++
	}
	return nowSent, nowSkipped
}

func countWhatIf(t *SurveyTally, kind domain.EventKind, o *domain.Outcome, applied bool) {
	if !applied {
		return
	}
	switch kind {
	case domain.EvClose, domain.EvAsk:
		if kind == domain.EvClose {
			t.Closes++
		} else {
			t.Asks++
		}
		if o.Decision == domain.DecisionSent {
			t.Sent++
			return
		}
		t.Skipped++
		for _, r := range o.Reasons() {
			t.SkippedBy[r.Code]++
		}
	case domain.EvRate, domain.EvComment:
		switch {
		case o.Decision == domain.DecisionRefused && o.Has(domain.CodeRatingWindowClosed):
			t.RefusedRatings++
		case o.Decision == domain.DecisionRefused && (o.Has(domain.CodeChangeWindowClosed) || o.Has(domain.CodeLockedByComment)):
			t.RefusedChanges++
		case kind == domain.EvRate && o.Decision == domain.DecisionAccepted && o.Rating.Old == 0:
			t.Ratings++
		}
	}
}

// OverridesBetween lists the settings that differ from current to pending,
// as overrides: the what-if of a pending change in the settings panel.
func OverridesBetween(current, pending domain.Settings) []Override {
	var os []Override
	for _, k := range domain.AllSettingKeys() {
		if v := pending.Get(k); v != current.Get(k) {
			os = append(os, Override{Key: k, Value: v})
		}
	}
	return os
}
