package store

import (
	"errors"
	"runtime"
	"testing"

	"github.com/csat-app/csat/domain"
)

// logReaders counts the goroutines of the what-if's log readers that are
// still running.
func logReaders() int { return goroutinesIn("store.(*windowReads).read") }

// The what-if's log readers end whatever the replay does with them: it
// reads them all, stops at an error of its own (a yield's), meets a
// reader's error, or never reads them; and a window may be read again.
// A reader waits for the replay at most a chunk ahead, so the reading
// stops them when it ends, and none is left once it has returned. The
// snapshot ends at release, whether the window was read or not.
func TestLogReadersEndWhateverTheReplayDoes(t *testing.T) {
	inSmallChunks(t)
	s := openMem(t)
	evs := withoutObserved(randomEvents(6, 300))
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	marks, broken := newWindowMarks(), newWindowMarks() // broken also marks an entry the log lacks
	for seq := uint64(1); seq <= uint64(len(evs)); seq++ {
		marks.add(seq, false)
		broken.add(seq, false)
	}
	broken.add(uint64(len(evs))+5, false)
	stop := errors.New("the replay stops")
	whole := func(each func(func(domain.Event, bool, bool) error) error) error {
		return each(func(domain.Event, bool, bool) error { return nil })
	}
	for _, c := range []struct {
		name  string
		marks *windowMarks
		read  func(each func(yield func(domain.Event, bool, bool) error) error) error
		want  error
	}{
		{"read whole", marks, whole, nil},
		{"read twice", marks, func(each func(func(domain.Event, bool, bool) error) error) error {
			if err := whole(each); err != nil {
				return err
			}
			return whole(each)
		}, nil},
		{"the replay's error", marks, func(each func(func(domain.Event, bool, bool) error) error) error {
			n := 0
			return each(func(domain.Event, bool, bool) error {
				if n++; n == len(evs)/2 {
					return stop
				}
				return nil
			})
		}, stop},
		{"a reader's error", broken, whole, errCorrupt},
		{"never read", marks, func(func(func(domain.Event, bool, bool) error) error) error { return nil }, nil},
	} {
		txn, _, done := s.snapshot()
		r := &windowReads{txn: txn, marks: c.marks}
		err := c.read(r.each)
		done()
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
		// Each reader has closed its channel: what is left of it returns.
		for i := 0; logReaders() > 0; i++ {
			if i == 1000 {
				t.Fatalf("%s: %d of the log's readers still run after the reading ended", c.name, logReaders())
			}
			runtime.Gosched()
		}
	}
	// The window's snapshot ends at release, read or not: an erasure,
	// which waits for the store's readers, may then go ahead.
	for _, read := range []bool{true, false} {
		events, release, err := s.WhatIfWindow(evs[0].At, func(*domain.Event, *domain.Outcome, *domain.Conversation, bool) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		if read {
			if err := whole(events); err != nil {
				t.Fatal(err)
			}
		}
		release()
		release()             // a second release is none
		s.users.Load().Wait() // a snapshot left open would hang the test here
	}
}
