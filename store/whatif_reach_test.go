package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// overrideValues are values of every setting, by name, for the what-ifs.
var overrideValues = map[string][]string{
	"csat": {"on", "off"}, "direct-outbound": {"on", "off"}, "workflow-outbound": {"on", "off"},
	"rating-window": {"off", "1", "48"}, "change-window": {"off", "2", "24"},
	"survey-app": {"builtin", "messenger:nps"}, "hide-scores": {"on", "off"},
	"target": {"80", "66.7%"}, "followup": {"negative", "negative+bad"}, "profile": {"intercom", "operator"},
}

// overrideSets are the what-ifs compared: each setting alone with each of
// its values, then random sets of settings.
func overrideSets(r *rand.Rand) [][]simulate.Override {
	var sets [][]simulate.Override
	keys := domain.AllSettingKeys()
	for _, k := range keys {
		for _, v := range overrideValues[k.Name] {
			sets = append(sets, []simulate.Override{{Key: k, Value: v}})
		}
	}
	for range 6 {
		var set []simulate.Override
		for _, k := range keys {
			if r.IntN(4) == 0 {
				vals := overrideValues[k.Name]
				set = append(set, simulate.Override{Key: k, Value: vals[r.IntN(len(vals))]})
			}
		}
		sets = append(sets, set)
	}
	return sets
}

// The what-if that decides again under the overrides only the
// conversations that read them reports exactly what deciding every
// conversation again reports: on random histories (changes of every
// setting, both profiles, roles, rating and change windows), delivered in
// order or out of it, with a helpdesk's conversations among them, and on
// the load generator's workspace; for each setting alone with each of its
// values and for random sets; over the whole log and over windows.
func TestWhatIfOfTheReadersEqualsReplayingAll(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		r := rand.New(rand.NewPCG(seed, 14))
		evs := withoutObserved(randomEvents(seed, 500))
		s := openMem(t)
		if seed%2 == 0 {
			deliverShuffled(t, s, evs, r)
		} else if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
		what := fmt.Sprintf("seed %d", seed)
		compareReaders(t, s.EachEvent, s.EachEventSince, s.WhatIfWindow, s.Latest(), evs[0].At, r, what)
		compareReaders(t, simulate.EventSlice(withHelpdesk(evs)), nil, nil, s.Latest(), evs[0].At, r, what+", a helpdesk's")
		h := openMem(t)
		if seed%2 == 0 {
			deliverShuffled(t, h, withHelpdesk(evs), r)
		} else if _, err := h.ApplyBatch(withHelpdesk(evs)); err != nil {
			t.Fatal(err)
		}
		compareReaders(t, h.EachEvent, h.EachEventSince, h.WhatIfWindow, h.Latest(), evs[0].At, r, what+", a helpdesk's stored")
	}
	s := openMem(t)
	cfg := simulate.LoadConfig{Teammates: 8, Conversations: 1200, Days: 40, Seed: 14, End: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := simulate.Load(context.Background(), s, cfg, nil); err != nil {
		t.Fatal(err)
	}
	compareReaders(t, s.EachEvent, s.EachEventSince, s.WhatIfWindow, s.Latest(), cfg.End.AddDate(0, 0, -cfg.Days), rand.New(rand.NewPCG(14, 14)), "load")
	evs := followedUpBadRatings()
	if got := compareReaders(t, simulate.EventSlice(evs), nil, nil, evs[len(evs)-1].At, evs[0].At, rand.New(rand.NewPCG(1, 14)), "follow-ups"); got.Inapplicable == 0 {
		t.Error("follow-ups: no what-if left a follow-up out: nothing compared")
	}
	f := openMem(t)
	if _, err := f.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	if got := compareReaders(t, f.EachEvent, f.EachEventSince, f.WhatIfWindow, evs[len(evs)-1].At, evs[0].At, rand.New(rand.NewPCG(1, 14)), "follow-ups stored"); got.Inapplicable == 0 {
		t.Error("follow-ups stored: no what-if left a follow-up out: nothing compared")
	}
}

// followedUpBadRatings is a history of bad ratings (🙁) followed up under
// the negative+bad threshold, which a what-if under negative leaves out.
func followedUpBadRatings() []domain.Event {
	at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	evs := []domain.Event{{Kind: domain.EvSet, At: at, Setting: domain.SettingKey{Scope: "workspace", Name: "followup"}, Text: "negative+bad"}}
	long := strings.Repeat("a long enough answer ", 20)
	for i, origin := range []domain.Origin{domain.OriginInbound, domain.OriginDirect, domain.OriginWorkflow} {
		conv, cust := fmt.Sprintf("f%d", i), domain.User(fmt.Sprintf("u%d", i))
		start := domain.Event{Kind: domain.EvStart, Conv: conv, Actor: cust, Origin: origin}
		if origin == domain.OriginDirect {
			start.Agent = domain.Teammate("ann")
		}
		for j, ev := range []domain.Event{start,
			{Kind: domain.EvSay, Actor: cust, Text: long},
			{Kind: domain.EvSay, Actor: domain.Teammate("ann"), Text: long},
			{Kind: domain.EvClose, Actor: domain.Teammate("ann")},
			{Kind: domain.EvAsk},
			{Kind: domain.EvRate, Actor: cust, Value: 2},
			{Kind: domain.EvFollowUp, Agent: domain.Teammate("ann"), By: "bob", Stage: domain.StageClaimed},
		} {
			ev.Conv, ev.At = conv, at.Add(time.Duration(i*10+j+1)*time.Minute)
			evs = append(evs, ev)
		}
	}
	return evs
}

// withHelpdesk gives every third conversation to a helpdesk.
func withHelpdesk(evs []domain.Event) []domain.Event {
	out := append([]domain.Event(nil), evs...)
	n := 0
	for i := range out {
		if out[i].Kind == domain.EvStart {
			if n%3 == 0 {
				out[i].By = "intercom"
			}
			n++
		}
	}
	return out
}

// compareReaders runs each set of overrides over the whole log and over a
// random window (through window, when given, else the whole log counted
// from there), both ways, and wants the same reports; and, given a store's
// index of decisions, the same report through it, which reads no more.
func compareReaders(t *testing.T, whole simulate.EventSource, window func(time.Time) func(func(domain.Event) error) error, decisions simulate.DecisionWindow, last, first time.Time, r *rand.Rand, what string) (sum simulate.WhatIfReport) {
	t.Helper()
	for i, set := range overrideSets(r) {
		since := time.Time{}
		if i%2 == 1 {
			since = first.Add(time.Duration(r.Int64N(int64(last.Sub(first)) + 1)))
		}
		src := whole
		if window != nil && !since.IsZero() {
			src = window(since)
		}
		got, errG := simulate.WhatIf(src, set, since)
		want, errW := simulate.WhatIfReplayingAll(src, set, since)
		if fmt.Sprint(errG) != fmt.Sprint(errW) {
			t.Fatalf("%s %v since %s: error %v, replaying all %v", what, set, since.Format(time.RFC3339), errG, errW)
		}
		if got.Redecided > want.Redecided {
			t.Errorf("%s %v: %d events decided again, more than replaying all (%d)", what, set, got.Redecided, want.Redecided)
		}
		got.Redecided = want.Redecided // how much was decided again is all that may differ
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %v since %s:\nreaders     %+v\nreplay all  %+v", what, set, since.Format(time.RFC3339), got, want)
		}
		if decisions != nil {
			idx, errI := simulate.WhatIfOfDecisions(decisions, set, since)
			if fmt.Sprint(errI) != fmt.Sprint(errW) {
				t.Fatalf("%s %v since %s: error %v through the index, replaying all %v", what, set, since.Format(time.RFC3339), errI, errW)
			}
			if idx.Events > want.Events {
				t.Errorf("%s %v: %d events read through the index, more than the window's %d", what, set, idx.Events, want.Events)
			}
			idx.Events, idx.Redecided = want.Events, want.Redecided // what was read is all that may differ
			if !reflect.DeepEqual(idx, want) {
				t.Errorf("%s %v since %s:\nthrough the index  %+v\nreplay all         %+v", what, set, since.Format(time.RFC3339), idx, want)
			}
		}
		sum.NowSent += want.NowSent + want.Helpdesk.NowSent
		sum.NowSkipped += want.NowSkipped + want.Helpdesk.NowSkipped
		sum.Inapplicable += want.Inapplicable
	}
	if sum.NowSent+sum.NowSkipped == 0 {
		t.Errorf("%s: no what-if changed a decision: nothing compared", what)
	}
	return sum
}
