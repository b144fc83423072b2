package simulate

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// A what-if holds only the conversations under way: after each event,
// no more than those whose first part came and whose last part has not,
// however long the window; with late parts too, which it holds until
// their conversation's last part. Its report is the same as ever.
func TestWhatIfHoldsOnlyTheConversationsUnderWay(t *testing.T) {
	c := &collect{Loader: OneByOne(NewMemory())}
	if _, err := Load(context.Background(), c, LoadConfig{Teammates: 8, Conversations: 600, Days: 30, Seed: 5, End: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	lateLog := withLateReplies(c.evs, 7)
	late, _ := domain.LateConversations(EventSlice(lateLog))
	if len(late) == 0 {
		t.Fatal("no late part")
	}
	for _, log := range []struct {
		name string
		evs  []domain.Event
	}{{"in order", c.evs}, {"with late replies", lateLog}} {
		open := underWay(log.evs)
		all := 0
		for _, n := range open {
			all = max(all, n)
		}
		for _, set := range []string{"users.rating-window=1", "users.direct-outbound=off"} {
			i := 0
			heldSeen = func(n int) {
				if n > open[i] {
					t.Fatalf("%s, %s: after event %d the what-if holds %d conversations, %d are under way", log.name, set, i+1, n, open[i])
				}
				i++
			}
			window := markedWindow(log.evs, false) // the late parts are found, and the window read again
			got, err := whatIf(func(yield func(domain.Event, bool, bool) error) error {
				i = 0
				return window(yield)
			}, mustOverrides(t, set), time.Time{}, false)
			heldSeen = nil
			if err != nil {
				t.Fatal(err)
			}
			want, err := WhatIfReplayingAll(EventSlice(log.evs), mustOverrides(t, set), time.Time{})
			got.Redecided, want.Redecided = 0, 0
			if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s, %s:\n%+v\nreplaying all:\n%+v (%v)", log.name, set, got, want, err)
			}
		}
		t.Logf("%s: %d events, at most %d conversations under way; %d conversations with a late part", log.name, len(log.evs), all, len(late))
	}
}

// underWay counts after each event the conversations whose first part
// has come and whose last part has not.
func underWay(evs []domain.Event) []int {
	first, last := map[string]int{}, map[string]int{}
	for i, ev := range evs {
		if c := ev.PartOf(); c != "" {
			if _, ok := first[c]; !ok {
				first[c] = i
			}
			last[c] = i
		}
	}
	open := make([]int, len(evs))
	n := 0
	for i, ev := range evs {
		c := ev.PartOf()
		if c != "" && first[c] == i {
			n++
		}
		if c != "" && last[c] == i {
			n--
		}
		open[i] = n
	}
	return open
}

// withLateReplies moves the second part of every nth conversation to
// just after its last one: it arrives late, at its own time.
func withLateReplies(evs []domain.Event, nth int) []domain.Event {
	seen, last := map[string]int{}, map[string]int{}
	for i, ev := range evs {
		if c := ev.PartOf(); c != "" {
			last[c] = i
		}
	}
	moved := map[int]int{} // last part's index → index moved after it
	skip := map[int]bool{}
	convs := 0
	for i, ev := range evs {
		c := ev.PartOf()
		if c == "" {
			continue
		}
		if seen[c] == 0 {
			convs++
		}
		if seen[c]++; seen[c] == 2 && convs%nth == 0 && last[c] > i && ev.At.Before(evs[last[c]].At) {
			moved[last[c]], skip[i] = i, true
		}
	}
	out := make([]domain.Event, 0, len(evs))
	for i, ev := range evs {
		if !skip[i] {
			out = append(out, ev)
		}
		if j, ok := moved[i]; ok {
			out = append(out, evs[j])
		}
	}
	return out
}
