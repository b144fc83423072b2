package store

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// goroutinesIn counts the goroutines whose stack holds fn, from every
// goroutine's stack (as goleak does).
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

// The window's reader of the index of decisions ends, and its snapshot
// ends, however the gathering of the window stops: it reads the index
// whole, a decided panics midway, or an entry of the index is damaged.
func TestDecisionReaderEndsWhateverStopsTheWindow(t *testing.T) {
	inSmallChunks(t)
	s := openMem(t)
	evs := withoutObserved(randomEvents(8, 300))
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	since := evs[0].At
	all := func(*domain.Event, *domain.Outcome, *domain.Conversation, bool) bool { return true }
	n := 0
	panics := func(*domain.Event, *domain.Outcome, *domain.Conversation, bool) bool {
		if n++; n == 10 {
			panic("decided fails")
		}
		return false
	}
	for _, c := range []struct {
		name    string
		decided func(*domain.Event, *domain.Outcome, *domain.Conversation, bool) bool
		damaged bool
		want    error
	}{
		{"read whole", all, false, nil},
		{"decided panics", panics, false, ErrDamaged},
		{"a damaged entry", all, true, errCorrupt},
	} {
		if c.damaged {
			if err := s.db.Update(func(txn *badger.Txn) error {
				return txn.Set(decisionKey(evs[len(evs)/2].At, 1<<40), []byte{1, 3})
			}); err != nil {
				t.Fatal(err)
			}
		}
		events, release, err := s.WhatIfWindow(since, c.decided)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
		if err == nil {
			if err := events(func(domain.Event, bool, bool) error { return nil }); err != nil {
				t.Errorf("%s: reading the window: %v", c.name, err)
			}
			release()
		}
		s.users.Load().Wait() // a snapshot left open would hang the test here
		for i := 0; goroutinesIn("store.readDecisions") > 0; i++ {
			if i == 1000 {
				t.Fatalf("%s: the reader of the decisions still runs after the window returned", c.name)
			}
			runtime.Gosched()
		}
	}
}
