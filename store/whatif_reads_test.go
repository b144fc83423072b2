package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// inSmallChunks makes the what-if's readers hand over a few entries at a
// time, so that a small store's window spans many chunks.
func inSmallChunks(t *testing.T) {
	decisions, events := rawChunkLen, logChunkEvents
	rawChunkLen, logChunkEvents = 3, 5
	t.Cleanup(func() { rawChunkLen, logChunkEvents = decisions, events })
}

// Read in chunks of a few entries, while the replay goes, the what-if
// through the index still reports what replaying every conversation
// does: in order, with late parts (marked by the y/ keys, or in a
// helpdesk's conversation found by the replay, which reads its source
// again), and with a helpdesk's conversations.
func TestWhatIfWindowInChunksEqualsReplayingAll(t *testing.T) {
	inSmallChunks(t)
	for seed := uint64(1); seed <= 2; seed++ {
		r := rand.New(rand.NewPCG(seed, 15))
		evs := withoutObserved(randomEvents(seed, 400))
		s := openMem(t)
		if seed%2 == 0 {
			deliverShuffled(t, s, withHelpdesk(evs), r)
		} else if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
		compareReaders(t, s.EachEvent, s.EachEventSince, s.WhatIfWindow, s.Latest(), evs[0].At, r, fmt.Sprintf("seed %d, in chunks", seed))
	}
}

// A log entry that the index names but the log lacks, or an entry of the
// index that does not decode, fails the what-if with an error naming it,
// whichever chunk it is in.
func TestWhatIfWindowReportsADamagedEntry(t *testing.T) {
	inSmallChunks(t)
	evs := withoutObserved(randomEvents(3, 300))
	overrides := []simulate.Override{{Key: domain.SettingKey{Scope: "users", Name: "csat"}, Value: "off"}}
	since := evs[len(evs)/3].At
	for _, damage := range []struct {
		name, want string
		family     byte // whose keys name the entry damaged
		set        func(txn *badger.Txn, k []byte) error
	}{
		// every what-if reads the workspace events: damage the log entry of one
		{"a missing log entry", "which an index names, is missing", pWorkspace, func(txn *badger.Txn, k []byte) error {
			return txn.Delete(seqKey(pLog, readSeq(k[2:])))
		}},
		{"a damaged decision", "decision", pDecision, func(txn *badger.Txn, k []byte) error {
			return txn.Set(k, []byte{recordFormat, 0xff})
		}},
	} {
		s := openMem(t)
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
		var keys [][]byte
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix(damage.family)})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		})
		if err != nil || len(keys) < 12 {
			t.Fatalf("%s: %d keys, %v", damage.name, len(keys), err)
		}
		// Neither in the first chunk nor in the last, and in the window.
		k := keys[len(keys)-len(keys)/6]
		if err := s.db.Update(func(txn *badger.Txn) error { return damage.set(txn, k) }); err != nil {
			t.Fatal(err)
		}
		_, err = simulate.WhatIfOfDecisions(s.WhatIfWindow, overrides, since)
		if !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), damage.want) {
			t.Errorf("%s: error %v, want one about %q", damage.name, err, damage.want)
		}
	}
}

// logEntriesNear reads what logEntriesAt reads, stepping or seeking,
// whatever the gaps between the entries wanted; an entry the log lacks
// is an error naming it, whether it would be stepped or sought to.
func TestLogEntriesNearReadsWhatItIsAsked(t *testing.T) {
	s := openMem(t)
	evs := withoutObserved(randomEvents(5, 300))
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 15))
	var seqs []uint64
	for seq := uint64(1); seq <= uint64(len(evs)); seq += 1 + uint64(r.IntN(3)*r.IntN(12)) {
		seqs = append(seqs, seq)
	}
	read := func(txn *badger.Txn, near bool, seqs []uint64) (string, error) {
		var b strings.Builder
		each := logEntriesAt
		if near {
			each = logEntriesNear
		}
		err := each(txn, seqs, func(seq uint64, v []byte) error {
			fmt.Fprintf(&b, "%d %x\n", seq, v)
			return nil
		})
		return b.String(), err
	}
	txn, _, done := s.snapshot()
	want, err := read(txn, false, seqs)
	got, errN := read(txn, true, seqs)
	done()
	if err != nil || errN != nil || got != want || strings.Count(got, "\n") != len(seqs) {
		t.Fatalf("read near: %d entries, %v; at: %d, %v; the same: %v", strings.Count(got, "\n"), errN, strings.Count(want, "\n"), err, got == want)
	}
	for _, lost := range []int{1, len(seqs) / 2, len(seqs) - 1} {
		gone := seqs[lost]
		var kept []byte
		err := s.db.Update(func(txn *badger.Txn) error {
			item, err := txn.Get(seqKey(pLog, gone))
			if err == nil {
				kept, err = item.ValueCopy(nil)
			}
			if err != nil {
				return err
			}
			return txn.Delete(seqKey(pLog, gone))
		})
		if err != nil {
			t.Fatal(err)
		}
		txn, _, done := s.snapshot()
		_, err = read(txn, true, seqs)
		done()
		if !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("log entry %d,", gone)) {
			t.Errorf("entry %d lost (after a gap of %d): error %v", gone, gone-seqs[lost-1], err)
		}
		if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(seqKey(pLog, gone), kept) }); err != nil {
			t.Fatal(err)
		}
	}
}
