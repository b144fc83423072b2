package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// A what-if's window holds a few chunks of events at a time, whatever
// its length: on a loaded workspace, with users' rating window at one
// hour (every conversation decided again, every event of the window
// read), the events read and not yet handed over are never more than
// five chunks (two readers, each with a chunk handed over and one
// waiting, and the chunk being replayed), over 10 days as over 40, with
// the same report as a replay of the whole window.
func TestWhatIfWindowHoldsAFewChunks(t *testing.T) {
	chunks := logChunkEvents
	logChunkEvents = 64
	t.Cleanup(func() { logChunkEvents, heldEventsSeen = chunks, nil })
	s := openMem(t)
	cfg := simulate.LoadConfig{Teammates: 8, Conversations: 3000, Days: 60, Seed: 3, End: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := simulate.Load(context.Background(), s, cfg, nil); err != nil {
		t.Fatal(err)
	}
	overrides := []simulate.Override{{Key: domain.SettingKey{Scope: "users", Name: "rating-window"}, Value: "1"}}
	var mu sync.Mutex
	most := int64(0)
	heldEventsSeen = func(n int64) {
		mu.Lock()
		most = max(most, n)
		mu.Unlock()
	}
	for _, days := range []int{10, 40} {
		since := s.Latest().AddDate(0, 0, -days)
		most = 0
		rep, err := simulate.WhatIfOfDecisions(s.WhatIfWindow, overrides, since)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Events < 20*64 || most > 5*64 {
			t.Errorf("%d days: %d events replayed, at most %d held at once: want at most %d", days, rep.Events, most, 5*64)
		}
		t.Logf("%d days: %d events replayed, at most %d held at once", days, rep.Events, most)
		all, err := simulate.WhatIfReplayingAll(s.EachEventSince(since), overrides, since)
		rep.Events, rep.Redecided, all.Events, all.Redecided = 0, 0, 0, 0
		if err != nil || fmt.Sprint(rep) != fmt.Sprint(all) {
			t.Errorf("%d days: through the index\n%+v\nreplaying all\n%+v (%v)", days, rep, all, err)
		}
	}
}
