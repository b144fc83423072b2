package simulate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// history builds a small log by hand: t is minutes after 09:00.
type history struct {
	evs  []domain.Event
	base time.Time
}

func newHistory() *history {
	return &history{base: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (h *history) add(min int, ev domain.Event) {
	ev.At = h.base.Add(time.Duration(min) * time.Minute)
	h.evs = append(h.evs, ev)
}

const (
	longAsk   = "Hi! Our CSV export has been failing since this morning with a timeout after about thirty seconds, for every report we try, even small ones."
	longReply = "Thanks, I can reproduce it. A fix is being deployed now; exports should work again in about ten minutes. I'll confirm here."
)

// conv adds a conversation that passes every rule when closed by bob, unless short.
func (h *history) conv(min int, id string, cust domain.Actor, origin domain.Origin, short bool) {
	start := domain.Event{Kind: domain.EvStart, Conv: id, Actor: cust, Origin: origin}
	ask, reply := longAsk, longReply
	if short {
		ask, reply = "Is it down?", "No."
	}
	if origin == domain.OriginDirect {
		start.Agent = domain.Teammate("bob")
		h.add(min, start)
		h.add(min+1, domain.Event{Kind: domain.EvSay, Conv: id, Actor: domain.Teammate("bob"), Text: reply})
		h.add(min+2, domain.Event{Kind: domain.EvSay, Conv: id, Actor: cust, Text: ask})
	} else {
		h.add(min, start)
		h.add(min+1, domain.Event{Kind: domain.EvSay, Conv: id, Actor: cust, Text: ask})
		h.add(min+2, domain.Event{Kind: domain.EvSay, Conv: id, Actor: domain.Teammate("bob"), Text: reply})
	}
	h.add(min+3, domain.Event{Kind: domain.EvClose, Conv: id, Actor: domain.Teammate("bob")})
}

func scriptedHistory() *history {
	h := newHistory()
	alice, carol, dan := domain.User("alice"), domain.User("carol"), domain.Lead("dan")
	h.add(0, domain.Event{Kind: domain.EvRole, By: "ann", Role: domain.RoleAdmin})
	h.conv(10, "c1", alice, domain.OriginInbound, false)  // sent
	h.conv(20, "c2", carol, domain.OriginDirect, false)   // sent
	h.conv(30, "c3", alice, domain.OriginInbound, true)   // skipped: too_short
	h.conv(40, "c4", dan, domain.OriginInbound, false)    // sent (leads)
	h.conv(50, "c5", carol, domain.OriginWorkflow, false) // skipped: workflow_outbound_off
	h.add(60, domain.Event{Kind: domain.EvRate, Conv: "c1", Actor: alice, Value: 1})
	h.add(61, domain.Event{Kind: domain.EvComment, Conv: "c1", Actor: alice, Text: "Took ages."})
	h.add(62, domain.Event{Kind: domain.EvFollowUp, Conv: "c1", Agent: domain.Teammate("bob"), Stage: domain.StageClaimed, By: "ann"})
	h.add(63, domain.Event{Kind: domain.EvRate, Conv: "c4", Actor: dan, Value: 5})
	return h
}

func tallyOf(closes, asks, sent int, ratings int, skipped map[domain.Code]int) SurveyTally {
	t := SurveyTally{Closes: closes, Asks: asks, Sent: sent, SkippedBy: ReasonCounts{}, Ratings: ratings}
	for c, n := range skipped {
		t.SkippedBy[c] = n
	}
	t.Skipped = closes + asks - sent
	return t
}

func checkTally(t *testing.T, name string, got, want SurveyTally) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
	}
}

func mustOverrides(t *testing.T, specs ...string) []Override {
	t.Helper()
	var os []Override
	for _, s := range specs {
		o, err := ParseOverride(s)
		if err != nil {
			t.Fatal(err)
		}
		os = append(os, o)
	}
	return os
}

func TestWhatIfCSATOffSkipsEverySentClose(t *testing.T) {
	h := scriptedHistory()
	rep, err := WhatIf(EventSlice(h.evs), mustOverrides(t, "users.csat=off"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	checkTally(t, "actual", rep.Actual, tallyOf(5, 0, 3, 2, map[domain.Code]int{domain.CodeTooShort: 1, domain.CodeWorkflowOutboundOff: 1}))
	// Users' conversations c1, c2, c3, c5 are all disabled; the lead's c4 still gets its survey.
	checkTally(t, "what-if", rep.WhatIf, tallyOf(5, 0, 1, 1, map[domain.Code]int{domain.CodeDisabled: 4, domain.CodeTooShort: 1, domain.CodeWorkflowOutboundOff: 1}))
	if rep.NowSkipped != 2 || rep.NowSent != 0 {
		t.Errorf("flips: %d now skipped, %d now sent; want 2 and 0", rep.NowSkipped, rep.NowSent)
	}
	// c1 is never rated under the what-if, so there is nothing to follow up.
	if rep.Inapplicable != 1 {
		t.Errorf("inapplicable = %d, want 1 (the follow-up of c1's rating)", rep.Inapplicable)
	}
	if rep.Events != len(h.evs) || !rep.Until.Equal(h.evs[len(h.evs)-1].At) {
		t.Errorf("events %d until %s", rep.Events, rep.Until)
	}
}

func TestWhatIfNoOverrideMatchesWhatHappened(t *testing.T) {
	h := scriptedHistory()
	rep, err := WhatIf(EventSlice(h.evs), nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	checkTally(t, "what-if", rep.WhatIf, rep.Actual)
	if rep.NowSent+rep.NowSkipped+rep.Inapplicable != 0 {
		t.Errorf("a replay with no override differs: %+v", rep)
	}
}

func TestWhatIfDirectAndWorkflowOutbound(t *testing.T) {
	h := scriptedHistory()
	rep, err := WhatIf(EventSlice(h.evs), mustOverrides(t, "users.direct-outbound=off", "users.workflow-outbound=on"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	checkTally(t, "what-if", rep.WhatIf, tallyOf(5, 0, 3, 2, map[domain.Code]int{domain.CodeTooShort: 1, domain.CodeDirectOutboundOff: 1}))
	if rep.NowSkipped != 1 || rep.NowSent != 1 {
		t.Errorf("flips: %d now skipped, %d now sent; want 1 and 1", rep.NowSkipped, rep.NowSent)
	}
}

// Only closes and asks from since on are counted, but the whole history
// builds the state: c1's rating is counted in the window while its close is not.
func TestWhatIfWindow(t *testing.T) {
	h := scriptedHistory()
	since := h.base.Add(35 * time.Minute)
	rep, err := WhatIf(EventSlice(h.evs), mustOverrides(t, "users.csat=off"), since)
	if err != nil {
		t.Fatal(err)
	}
	checkTally(t, "actual", rep.Actual, tallyOf(2, 0, 1, 2, map[domain.Code]int{domain.CodeWorkflowOutboundOff: 1}))
	checkTally(t, "what-if", rep.WhatIf, tallyOf(2, 0, 1, 1, map[domain.Code]int{domain.CodeDisabled: 1, domain.CodeWorkflowOutboundOff: 1}))
}

// A setting changed in the log applies to both replays, except an
// overridden key, which stays pinned.
func TestWhatIfPinsOverriddenKeys(t *testing.T) {
	h := scriptedHistory()
	key, _ := domain.ParseSettingKey("users.csat")
	h.add(70, domain.Event{Kind: domain.EvSet, Setting: key, Text: "off", By: "ann"})
	h.conv(80, "c6", domain.User("erin"), domain.OriginInbound, false)
	wk, _ := domain.ParseSettingKey("users.workflow-outbound")
	h.add(90, domain.Event{Kind: domain.EvSet, Setting: wk, Text: "on", By: "ann"})
	h.conv(100, "c7", domain.User("erin"), domain.OriginWorkflow, false)
	since := h.base.Add(65 * time.Minute)

	rep, err := WhatIf(EventSlice(h.evs), mustOverrides(t, "users.csat=on"), since)
	if err != nil {
		t.Fatal(err)
	}
	// As it happened: csat went off, so c6 and c7 were skipped.
	checkTally(t, "actual", rep.Actual, tallyOf(2, 0, 0, 0, map[domain.Code]int{domain.CodeDisabled: 2}))
	// Pinned on, and with the log's workflow-outbound change still applied: both sent.
	checkTally(t, "what-if", rep.WhatIf, tallyOf(2, 0, 2, 0, nil))
	if rep.NowSent != 2 {
		t.Errorf("now sent = %d, want 2", rep.NowSent)
	}
}

func TestWhatIfProfileOverride(t *testing.T) {
	h := scriptedHistory()
	rep, err := WhatIf(EventSlice(h.evs), mustOverrides(t, "workspace.profile=operator"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// The Task Bot only asks in customer-started conversations: c2 (direct)
	// and c5 (workflow) are not; it has no outbound toggles.
	checkTally(t, "what-if", rep.WhatIf, tallyOf(5, 0, 2, 2, map[domain.Code]int{domain.CodeTooShort: 1, domain.CodeNotCustomerStarted: 2}))
}

func TestWhatIfBadInput(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"users.csat", "KEY=VALUE"},
		{"users.nope=on", `unknown setting "nope"`},
		{"team.csat=on", `unknown settings scope "team"`},
		{"users.csat=maybe", `"maybe"`},
		{"leads.rating-window=9000", `"9000"`},
		{"workspace.profile=zendesk", `"zendesk"`},
	} {
		_, err := ParseOverride(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseOverride(%q) = %v, want an error with %s", tc.spec, err, tc.want)
		}
	}
	// A log that does not replay is an error naming the event.
	h := newHistory()
	h.add(0, domain.Event{Kind: domain.EvClose, Conv: "ghost", Actor: domain.Teammate("bob")})
	_, err := WhatIf(EventSlice(h.evs), nil, time.Time{})
	if err == nil || !strings.Contains(err.Error(), "event 1 (close ghost") {
		t.Errorf("err = %v, want one naming event 1", err)
	}
}

// The report names what report.WhatIf puts on the wire: overrides as the
// CLI spells them, reasons in RULES.md order, the flipped decisions.
func TestWhatIfNamesItsFigures(t *testing.T) {
	h := scriptedHistory()
	rep, err := WhatIf(EventSlice(h.evs), mustOverrides(t, "users.csat=off"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Overrides) != 1 || rep.Overrides[0].String() != "users.csat=off" {
		t.Errorf("overrides %v", rep.Overrides)
	}
	by := rep.WhatIf.SkippedBy
	if got := fmt.Sprint(by.Codes()); got != "[disabled workflow_outbound_off too_short]" || by[domain.CodeDisabled] != 4 || by[domain.CodeWorkflowOutboundOff] != 1 || by[domain.CodeTooShort] != 1 {
		t.Errorf("skipped by %s %v", got, by)
	}
	if rep.NowSkipped != 2 {
		t.Errorf("now skipped %d, want 2", rep.NowSkipped)
	}
}

// collect keeps every event a load writes, for replaying.
type collect struct {
	Loader
	evs      []domain.Event
	outcomes []domain.Outcome
}

func (c *collect) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	c.evs = append(c.evs, evs...)
	got, err := c.Loader.ApplyBatch(evs)
	c.outcomes = append(c.outcomes, got...)
	return got, err
}

// The what-if of generated traffic agrees with the load's own summary, and
// turning csat off for everyone leaves only Workflow asks to send surveys.
func TestWhatIfOverGeneratedTraffic(t *testing.T) {
	c := &collect{Loader: OneByOne(NewMemory())}
	sum, err := Load(context.Background(), c, LoadConfig{Teammates: 8, Conversations: 600, Days: 30, Seed: 5, End: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := WhatIf(EventSlice(c.evs), mustOverrides(t, "users.csat=off", "leads.csat=off"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Actual.Sent != sum.Sent || rep.Actual.Skipped != sum.SkippedSurveys || fmt.Sprint(rep.Actual.SkippedBy) != fmt.Sprint(sum.Skipped) {
		t.Errorf("replay %+v disagrees with the load's summary %+v", rep.Actual, sum)
	}
	sentAsks := 0
	ws := domain.NewWorkspace()
	for _, ev := range c.evs {
		o, err := ws.Apply(ev)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind == domain.EvAsk && o.Decision == domain.DecisionSent {
			sentAsks++
		}
	}
	if sentAsks == 0 || rep.WhatIf.Sent != sentAsks {
		t.Errorf("with csat off, %d sent; want exactly the %d Workflow asks that were sent", rep.WhatIf.Sent, sentAsks)
	}
	if rep.NowSkipped != sum.Sent-sentAsks {
		t.Errorf("now skipped %d, want %d", rep.NowSkipped, sum.Sent-sentAsks)
	}
}

// The generator rarely plans an event the rules refuse (a lead claiming a
// remark the customer has since raised out of the queue); those are left out.
func TestLoadGeneratorSeldomDrops(t *testing.T) {
	g := newLoadGen(LoadConfig{Teammates: 10, Conversations: 3000, Days: 60, Seed: 3, End: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}, domain.DefaultSettings(), false)
	n := 0
	for {
		_, ok, err := g.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		n++
	}
	if g.drops*1000 > n {
		t.Errorf("%d of %d planned events dropped", g.drops, n)
	}
	if len(g.shadow.Conversations) > 200 {
		t.Errorf("the shadow still holds %d conversations: memory is not bounded by those in flight", len(g.shadow.Conversations))
	}
}

func TestOverridesBetween(t *testing.T) {
	cur := domain.DefaultSettings()
	pending := cur
	pending.Users.DirectOutbound = false
	pending.Leads.RatingWindowHours = 48
	got := fmt.Sprint(OverridesBetween(cur, pending))
	if got != "[users.direct-outbound=off leads.rating-window=48]" {
		t.Errorf("OverridesBetween = %s", got)
	}
	if len(OverridesBetween(cur, cur)) != 0 {
		t.Error("no change should give no override")
	}
}

// A narrower rating or change window refuses ratings and changes, which
// the what-if counts beside the surveys.
func TestWhatIfCountsRefusedRatingsAndChanges(t *testing.T) {
	h := scriptedHistory()
	carol := domain.User("carol")
	h.add(150, domain.Event{Kind: domain.EvRate, Conv: "c2", Actor: carol, Value: 4}) // 2 h after its survey
	h.add(300, domain.Event{Kind: domain.EvRate, Conv: "c2", Actor: carol, Value: 5}) // changed 2.5 h later
	for _, c := range []struct {
		override         string
		ratings, changes int
	}{
		{"users.rating-window=1", 2, 0}, // both come too late to be a first rating
		{"users.change-window=2", 0, 1},
	} {
		rep, err := WhatIf(EventSlice(h.evs), mustOverrides(t, c.override), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Actual.RefusedRatings != 0 || rep.Actual.RefusedChanges != 0 {
			t.Fatalf("actual refused %d ratings, %d changes", rep.Actual.RefusedRatings, rep.Actual.RefusedChanges)
		}
		if rep.WhatIf.RefusedRatings != c.ratings || rep.WhatIf.RefusedChanges != c.changes {
			t.Errorf("%s: %d ratings and %d changes refused, want %d and %d", c.override, rep.WhatIf.RefusedRatings, rep.WhatIf.RefusedChanges, c.ratings, c.changes)
		}
	}
}

// A helpdesk's conversations (imported from Intercom) are decided by the
// rules in both replays and counted apart; their observed ratings are
// facts, not replayed as ratings, and the simulated tally stays empty.
func TestWhatIfDecidesHelpdeskConversationsApart(t *testing.T) {
	h := newHistory()
	h.conv(0, "i1", domain.User("chloé"), domain.OriginInbound, false)
	h.conv(10, "i2", domain.User("山田"), domain.OriginInbound, true)
	for i := range h.evs {
		if h.evs[i].Kind == domain.EvStart {
			h.evs[i].By = "intercom"
		}
	}
	h.add(5, domain.Event{Kind: domain.EvObserve, Conv: "i1", Actor: domain.User("chloé"), Agent: domain.Teammate("bob"), Value: 5})
	rep, err := WhatIf(EventSlice(h.evs), []Override{{Key: mustKey(t, "users.csat"), Value: "off"}}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Actual.Closes != 0 || rep.WhatIf.Closes != 0 || rep.Actual.Ratings != 0 {
		t.Fatalf("the helpdesk's conversations are counted as the rules' own: %+v / %+v", rep.Actual, rep.WhatIf)
	}
	hd := rep.Helpdesk
	if hd.Conversations != 2 || hd.Current.Closes != 2 || hd.Current.Sent != 1 || hd.Current.SkippedBy[domain.CodeTooShort] != 1 {
		t.Fatalf("decided under the recorded settings: %+v", hd)
	}
	if hd.WhatIf.Sent != 0 || hd.WhatIf.SkippedBy[domain.CodeDisabled] != 2 || hd.NowSkipped != 1 || hd.NowSent != 0 || hd.Current.Ratings+hd.WhatIf.Ratings != 0 {
		t.Fatalf("decided under the overrides: %+v", hd)
	}
}

func mustKey(t *testing.T, s string) domain.SettingKey {
	t.Helper()
	k, err := domain.ParseSettingKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A what-if reads a window once when no part is late but those it marks
// late, and otherwise reads it again knowing the conversations with late
// parts; a plain source it reads twice, the first time to find its
// conversations' last parts and late ones. Either way its report is the
// one of a replay told them from the start.
func TestWhatIfReadsOnceUnlessAPartIsLate(t *testing.T) {
	inOrder := scriptedHistory().evs
	var late []domain.Event
	first := func(ev domain.Event) bool { return ev.Kind == domain.EvSay && ev.Conv == "c2" && ev.Actor.IsTeammate() }
	for _, ev := range inOrder {
		if !first(ev) {
			late = append(late, ev) // c2's first reply is delivered last, at its own time
		}
	}
	for _, ev := range inOrder {
		if first(ev) {
			late = append(late, ev)
		}
	}
	helpdesk := append([]domain.Event(nil), late...)
	for i, ev := range helpdesk {
		if ev.Kind == domain.EvStart && ev.Conv == "c2" {
			helpdesk[i].By = "intercom" // whose refusals the what-if passes over
		}
	}
	overrides := mustOverrides(t, "users.direct-outbound=off")
	since := inOrder[0].At.Add(15 * time.Minute)
	for _, c := range []struct {
		name  string
		log   []domain.Event
		marks bool // the window marks the late parts
		reads int
	}{{"in order", inOrder, false, 1}, {"a late reply", late, false, 3}, {"a late reply, marked", late, true, 1},
		{"a late reply in a helpdesk's conversation", helpdesk, false, 3}} {
		reads, plainReads := 0, 0
		window := markedWindow(c.log, c.marks)
		got, err := whatIf(func(yield func(domain.Event, bool, bool) error) error {
			reads++
			return window(yield)
		}, overrides, since, false)
		if err != nil || reads != c.reads {
			t.Fatalf("%s: read %d times (want %d), %v", c.name, reads, c.reads, err)
		}
		plain, err := WhatIf(func(yield func(domain.Event) error) error {
			plainReads++
			return EventSlice(c.log)(yield)
		}, overrides, since)
		if err != nil || plainReads != 2 || fmt.Sprintf("%+v", plain) != fmt.Sprintf("%+v", got) {
			t.Fatalf("%s: a plain source read %d times (want 2), %v:\n%+v\nwant %+v", c.name, plainReads, err, plain, got)
		}
		lateConvs, _ := domain.LateConversations(EventSlice(c.log))
		want, err := whatIfKnowingLate(markedWindow(c.log, false), overrides, since, false, lateConvs)
		if err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Errorf("%s:\n got %+v\nwant %+v (%v)", c.name, got, want, err)
		}
		closes, skipped := got.Actual.Closes+got.Helpdesk.Current.Closes, got.NowSkipped+got.Helpdesk.NowSkipped
		if closes != 4 || skipped != 1 {
			t.Errorf("%s: %d closes, %d now skipped; want 4 closes in the window, the direct one now skipped", c.name, closes, skipped)
		}
	}
}

// Only conversations that read an overridden setting are decided again:
// turning direct outbound off for users leaves every inbound conversation's
// decisions as they were, and the report is the full replay's.
func TestWhatIfDecidesAgainOnlyWhatReadsTheOverrides(t *testing.T) {
	c := &collect{Loader: OneByOne(NewMemory())}
	if _, err := Load(context.Background(), c, LoadConfig{Teammates: 8, Conversations: 600, Days: 30, Seed: 5, End: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	for _, set := range []string{"users.direct-outbound=off", "leads.csat=off"} {
		overrides := mustOverrides(t, set)
		rep, err := WhatIf(EventSlice(c.evs), overrides, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		all, err := WhatIfReplayingAll(EventSlice(c.evs), overrides, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if all.Redecided != all.Events || rep.Redecided == 0 || rep.Redecided >= rep.Events/2 {
			t.Errorf("%s: %d of %d events decided again (replaying all: %d), want fewer than half", set, rep.Redecided, rep.Events, all.Redecided)
		}
		rep.Redecided, all.Redecided = 0, 0
		if fmt.Sprint(rep) != fmt.Sprint(all) {
			t.Errorf("%s: the what-if\n%+v\ndiffers from replaying all\n%+v", set, rep, all)
		}
	}
}

// A source that fails is read once: only a late part, or an event that
// does not replay, has the what-if read again knowing the late parts.
func TestWhatIfReadsAFailingSourceOnce(t *testing.T) {
	h := scriptedHistory()
	broken := errors.New("disk on fire")
	reads := 0
	src := func(yield func(domain.Event) error) error {
		reads++
		if err := EventSlice(h.evs[:len(h.evs)/2])(yield); err != nil {
			return err
		}
		return broken
	}
	if _, err := WhatIf(src, mustOverrides(t, "users.csat=off"), time.Time{}); !errors.Is(err, broken) || reads != 1 {
		t.Fatalf("error %v after %d reads, want the source's after one", err, reads)
	}
}

// markedWindow is a WindowEvents over evs that marks each conversation's
// last part, and its late ones' parts if marks is set.
func markedWindow(evs []domain.Event, marks bool) WindowEvents {
	lastAt := map[string]int{}
	for i, ev := range evs {
		if c := ev.PartOf(); c != "" {
			lastAt[c] = i
		}
	}
	late := map[string]bool{}
	if marks {
		late, _ = domain.LateConversations(EventSlice(evs))
	}
	return func(yield func(domain.Event, bool, bool) error) error {
		for i, ev := range evs {
			c := ev.PartOf()
			if err := yield(ev, c != "" && lastAt[c] == i, late[c]); err != nil {
				return err
			}
		}
		return nil
	}
}
