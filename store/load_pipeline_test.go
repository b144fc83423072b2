package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// accepted is evs less those the rules refuse when applied one at a time
// in their order: a stream every batch of which applies.
func accepted(t *testing.T, evs []domain.Event) []domain.Event {
	t.Helper()
	s := openMem(t)
	defer s.Close()
	var ok []domain.Event
	for _, ev := range evs {
		if _, err := s.Apply(ev); err == nil {
			ok = append(ok, ev)
		}
	}
	return ok
}

// withLateParts swaps neighbouring conversation events at random, so
// that parts of a conversation arrive after later ones (placed late),
// often in the batch after.
func withLateParts(evs []domain.Event, seed uint64) []domain.Event {
	r := rand.New(rand.NewPCG(seed, 3))
	out := append([]domain.Event(nil), evs...)
	for i := 1; i < len(out); i++ {
		if out[i].Kind != domain.EvStart && out[i-1].Kind != domain.EvStart && r.IntN(4) == 0 {
			out[i], out[i-1] = out[i-1], out[i]
		}
	}
	return out
}

// sendAll writes evs through a pipeline in batches of size, each with
// the load record counting the events so far.
func sendAll(t *testing.T, s *Store, evs []domain.Event, size int) {
	t.Helper()
	sendFrom(t, s, evs, 0, size)
}

// sendFrom is sendAll of evs[from:], the load records counting evs.
func sendFrom(t *testing.T, s *Store, evs []domain.Event, from, size int) {
	t.Helper()
	p, err := s.BeginLoad()
	if err != nil {
		t.Fatal(err)
	}
	for i := from; i < len(evs); i += size {
		part := evs[i:min(i+size, len(evs))]
		if _, err := p.Apply(part, testLoadRecord(uint64(i+len(part)))); err != nil {
			t.Fatalf("batch at %d: %v", i, err)
		}
		if err := p.Settle(); err != nil {
			t.Fatal(err)
		}
		if err := p.Send(); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

// A pipeline writes, key for key, what the same batches committed one
// at a time write: a batch applied while the one before is in flight
// reads that one's conversations, counters and agents from it, and
// waits for it before a late part or a workspace event.
func TestLoadPipelineWritesWhatBatchesOneAtATimeWrite(t *testing.T) {
	streams := map[string][]domain.Event{
		"realistic":        interleavedStream(3, 2500, 40),
		"workspace events": randomEvents(4, 1200),
		"late parts":       withLateParts(randomParts(5, 1200), 5),
	}
	for name, evs := range streams {
		evs = accepted(t, evs)
		for _, size := range []int{1, 9, 100} {
			want, got := openMem(t), openMem(t)
			for i := 0; i < len(evs); i += size {
				part := evs[i:min(i+size, len(evs))]
				if _, err := want.ApplyLoadBatch(part, testLoadRecord(uint64(i+len(part)))); err != nil {
					t.Fatalf("%s, batches of %d, at %d: %v", name, size, i, err)
				}
			}
			sendAll(t, got, evs, size)
			if w, g := dumpKeys(t, want), dumpKeys(t, got); w != g {
				t.Errorf("%s, batches of %d: the pipeline's store differs from one batch at a time", name, size)
			}
			if got.Seq() != uint64(len(evs)) {
				t.Errorf("%s, batches of %d: seq %d, want %d", name, size, got.Seq(), len(evs))
			}
			if diffs, err := got.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
				t.Errorf("%s, batches of %d: check: %v %v", name, size, diffs, err)
			}
			want.Close()
			got.Close()
		}
	}
}

// A commit that fails fails the pipeline: the batch applied on top of it
// is never written, the store holds exactly the batches before, and it
// takes writes again once the pipeline is closed.
func TestLoadPipelineWritesNothingAfterAFailedCommit(t *testing.T) {
	evs := accepted(t, interleavedStream(7, 600, 20))
	s := openMem(t)
	defer s.Close()
	p, err := s.BeginLoad()
	if err != nil {
		t.Fatal(err)
	}
	refused := errors.New("commit refused")
	defer func() { commitFault = nil }()
	const size = 100
	for i, n := 0, 0; n < 4; i, n = i+size, n+1 {
		if n == 2 {
			commitFault = func() error { return refused }
		}
		if _, err := p.Apply(evs[i:i+size], testLoadRecord(uint64(i+size))); err != nil {
			t.Fatal(err)
		}
		err := p.Settle()
		if n == 3 && !errors.Is(err, refused) {
			t.Fatalf("settling the refused batch: %v", err)
		}
		if n < 3 && err != nil {
			t.Fatal(err)
		}
		if n < 3 {
			if err := p.Send(); err != nil {
				t.Fatal(err)
			}
		}
	}
	commitFault = nil
	if err := p.Send(); !errors.Is(err, refused) {
		t.Fatalf("sending after a failed commit: %v", err)
	}
	if err := p.Close(); !errors.Is(err, refused) {
		t.Fatalf("closing: %v", err)
	}
	if rec, _, seq, _ := s.LoadRecord(); seq != 2*size || rec.Events != 2*size {
		t.Fatalf("the store holds %d events, its record %d; want the 2 batches before the refused one", seq, rec.Events)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
	if _, err := s.ApplyBatch(evs[2*size : 3*size]); err != nil {
		t.Fatalf("a write after the closed pipeline: %v", err)
	}
}

// A batch the rules refuse, applied while the one before is in flight,
// leaves that one to commit, and the pipeline takes no more batches: a
// second Apply (or a Send) returns the refusal instead of building on the
// transactions the refused batch used up.
func TestLoadPipelineRefusesMoreAfterARefusedBatch(t *testing.T) {
	evs := accepted(t, interleavedStream(8, 300, 20))
	s := openMem(t)
	defer s.Close()
	p, err := s.BeginLoad()
	if err != nil {
		t.Fatal(err)
	}
	const size = 100
	if _, err := p.Apply(evs[:size], testLoadRecord(size)); err != nil {
		t.Fatal(err)
	}
	if err := p.Send(); err != nil {
		t.Fatal(err)
	}
	bad := append(append([]domain.Event(nil), evs[size:2*size]...), domain.Event{Kind: domain.EvSay, Conv: "nope", Actor: domain.User("u1"), Text: "x"})
	_, err = p.Apply(bad, testLoadRecord(2*size+1))
	var ee *EventError
	if !errors.As(err, &ee) || ee.Index != size || !errors.Is(err, domain.ErrUnknownConversation) {
		t.Fatalf("the refused batch: %v", err)
	}
	if _, again := p.Apply(evs[size:2*size], testLoadRecord(2*size)); !errors.Is(again, domain.ErrUnknownConversation) {
		t.Fatalf("a batch after the refused one: %v, want the refusal", again)
	}
	if err := p.Send(); !errors.Is(err, domain.ErrUnknownConversation) {
		t.Fatalf("sending after the refused batch: %v, want the refusal", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("closing: %v (the batch in flight committed)", err)
	}
	if rec, _, seq, _ := s.LoadRecord(); seq != size || rec.Events != size {
		t.Fatalf("the store holds %d events, its record %d; want the batch before the refused one", seq, rec.Events)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
	if _, err := s.ApplyBatch(evs[size : 2*size]); err != nil {
		t.Fatalf("a write after the closed pipeline: %v", err)
	}
}

// ApplyInto puts a batch's outcomes in the caller's buffer when it has
// room, and they are the outcomes Apply gives.
func TestLoadPipelineApplyIntoFillsTheBuffer(t *testing.T) {
	evs := accepted(t, interleavedStream(6, 300, 10))
	first, second := evs[:len(evs)/2], evs[len(evs)/2:]
	run := func(into bool) []domain.Outcome {
		s := openMem(t)
		defer s.Close()
		p, err := s.BeginLoad()
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		outs, err := p.Apply(first, testLoadRecord(uint64(len(first))))
		if err == nil {
			err = p.Send()
		}
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]domain.Outcome, 3, len(second))
		if into {
			outs, err = p.ApplyInto(buf, second, testLoadRecord(uint64(len(evs))))
			if err == nil && &outs[0] != &buf[:1][0] {
				t.Error("ApplyInto allocated its outcomes: want them in the buffer given")
			}
		} else {
			outs, err = p.Apply(second, testLoadRecord(uint64(len(evs))))
		}
		if err != nil {
			t.Fatal(err)
		}
		return append([]domain.Outcome(nil), outs...)
	}
	if want, got := run(false), run(true); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ApplyInto's outcomes differ from Apply's")
	}
}
