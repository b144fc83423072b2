package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

func testLoadRecord(events uint64) LoadRecord {
	return LoadRecord{Teammates: 200, Conversations: 28_000_000, Days: 330, Seed: 7, End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		Events: events, LastAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), LastConv: "s7-12"}
}

// The record goes in with its batch: after a batch it names exactly the
// events the log holds, and a batch refused by the rules leaves both as
// they were. Stores without a record read as having none.
func TestLoadRecordMovesWithItsBatch(t *testing.T) {
	s := openMem(t)
	if _, ok, _, err := s.LoadRecord(); ok || err != nil {
		t.Fatalf("a new store has a load record (%v)", err)
	}
	first := markedBatch(1)
	if _, err := s.ApplyLoadBatch(first, testLoadRecord(uint64(len(first)))); err != nil {
		t.Fatal(err)
	}
	rec, ok, seq, err := s.LoadRecord()
	if err != nil || !ok || rec != testLoadRecord(seq) || seq != uint64(len(first)) {
		t.Fatalf("record %+v (ok %v, %v) at seq %d", rec, ok, err, seq)
	}
	bad := append(markedBatch(2), domain.Event{Kind: domain.EvRate, Conv: "nowhere", At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Value: 9})
	if _, err := s.ApplyLoadBatch(bad, testLoadRecord(seq+uint64(len(bad)))); err == nil {
		t.Fatal("a bad batch was accepted")
	}
	if again, _, seq2, _ := s.LoadRecord(); again != rec || seq2 != seq {
		t.Fatalf("a refused batch moved the record to %+v, seq %d", again, seq2)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// A load's batch too big for one transaction writes the record with its
// last part; one stopped between parts (as by a kill) gets it when the
// next writable open finishes the batch, and not before.
func TestLoadRecordOfASplitBatchStoppedBetweenParts(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	evs := splitBatch()
	crash := errors.New("killed between parts")
	afterPart = func() error { return crash }
	defer func() { afterPart = nil }()
	if _, err := s.ApplyLoadBatch(evs, testLoadRecord(uint64(len(evs)))); !errors.Is(err, crash) {
		t.Fatalf("ApplyLoadBatch: %v, want the injected stop", err)
	}
	afterPart = nil
	if _, ok, seq, _ := s.LoadRecord(); ok || seq == 0 || seq >= uint64(len(evs)) {
		t.Fatalf("between parts (seq %d) the record is there already (%v)", seq, ok)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDir(t, dir)
	defer s.Close()
	rec, ok, seq, err := s.LoadRecord()
	if err != nil || !ok || seq != uint64(len(evs)) || rec != testLoadRecord(seq) {
		t.Fatalf("after the finishing open: record %+v (ok %v, %v) at seq %d", rec, ok, err, seq)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// Check reads the record, which no replay derives: one counting events
// the log does not hold, or one it cannot read, is a difference.
func TestCheckFindsABadLoadRecord(t *testing.T) {
	for name, value := range map[string][]byte{
		"ahead":      encodeLoadRecord(&LoadRecord{Teammates: 1, Days: 1, Base: 2, Events: 9}),
		"unreadable": {recordFormat, 0xff},
	} {
		s := openMem(t)
		if _, err := s.ApplyLoadBatch(markedBatch(1), testLoadRecord(3)); err != nil {
			t.Fatal(err)
		}
		if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyLoad, value) }); err != nil {
			t.Fatal(err)
		}
		diffs, err := s.Check(simulate.ReplayInto)
		if err != nil || len(diffs) != 1 || !strings.HasPrefix(diffs[0].String(), "load record: stored ") {
			t.Errorf("%s: check says %v %v, want the load record", name, diffs, err)
		}
	}
}

// Erasures is appended to the record only when set, so a record of a
// store no erasure touched is the bytes it was before the field, and one
// that has it reads it back.
func TestLoadRecordErasuresWrittenOnlyWhenSet(t *testing.T) {
	plain := testLoadRecord(40)
	with := plain
	with.Erasures = 3
	a, b := encodeLoadRecord(&plain), encodeLoadRecord(&with)
	if len(b) <= len(a) || string(b[:len(a)]) != string(a) {
		t.Fatalf("the field is not appended to the record: %x, %x", a, b)
	}
	for _, r := range []LoadRecord{plain, with} {
		v := encodeLoadRecord(&r)
		if got, err := decodeLoadRecord(v); err != nil || got != r {
			t.Errorf("read back %+v (%v), want %+v", got, err, r)
		}
	}
}
