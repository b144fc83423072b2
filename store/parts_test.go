package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// unfoldParts rewrites s as schema 9 held its parts: each a p/ key, and
// records that end before any part list.
func unfoldParts(t *testing.T, s *Store) {
	t.Helper()
	type kv struct{ k, v []byte }
	var sets []kv
	err := s.db.View(func(txn *badger.Txn) error {
		return iterate(txn, prefix(pConv), func(k, v []byte) error {
			conv := string(k[2:])
			r, err := decodeConversation(v, conv)
			if err != nil || r.parts.keyed {
				return err
			}
			if err := eachPart(txn, conv, &r.parts, func(seq uint64) error {
				sets = append(sets, kv{partKey(conv, seq), nil})
				return nil
			}); err != nil {
				return err
			}
			r.parts = partList{keyed: true}
			sets = append(sets, kv{append([]byte(nil), k...), encodeConversation(&r)})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(txn *badger.Txn) error {
		for _, x := range sets {
			if err := txn.Set(x.k, x.v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dropPart rewrites conv's record without part seq.
func dropPart(txn *badger.Txn, conv string, seq uint64) error {
	r, found, err := getConversation(txn, conv)
	if err != nil || !found {
		return fmt.Errorf("conversation %s: %v", conv, err)
	}
	i := slices.Index(r.parts.inline, seq)
	if i < 0 {
		return fmt.Errorf("conversation %s: no part %d in %v", conv, seq, r.parts.inline)
	}
	r.parts.inline = slices.Delete(r.parts.inline, i, i+1)
	return txn.Set(convKey(conv), encodeConversation(&r))
}

// partsOfLog lists each conversation's parts as the log says them: the
// sequence numbers of its entries, in log order.
func partsOfLog(t *testing.T, s *Store) map[string][]uint64 {
	t.Helper()
	byConv := map[string][]uint64{}
	if err := s.Events(0, func(seq uint64, ev domain.Event) error {
		if conv := eventConv(ev); conv != "" {
			byConv[conv] = append(byConv[conv], seq)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return byConv
}

// partsOfRecords lists each conversation's parts as its record and p/
// keys say them, and how many p/ keys there are.
func partsOfRecords(t *testing.T, s *Store) (map[string][]uint64, int) {
	t.Helper()
	byConv := map[string][]uint64{}
	txn, _, done := s.snapshot()
	defer done()
	err := iterate(txn, prefix(pConv), func(k, v []byte) error {
		conv := string(k[2:])
		r, err := decodeConversation(v, conv)
		if err != nil {
			return err
		}
		return eachPart(txn, conv, &r.parts, func(seq uint64) error {
			byConv[conv] = append(byConv[conv], seq)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return byConv, len(keysUnder(t, s, pPart))
}

// mustHoldTheLogsParts fails unless every record (and its p/ keys) names
// exactly its conversation's log entries, in log order, with p/ keys only
// for the parts past each record's bound.
func mustHoldTheLogsParts(t *testing.T, s *Store, what string) {
	t.Helper()
	log := partsOfLog(t, s)
	held, keys := partsOfRecords(t, s)
	if !reflect.DeepEqual(held, log) {
		t.Fatalf("%s: the records hold the parts\n%v\nthe log has\n%v", what, held, log)
	}
	past := 0
	for _, seqs := range log {
		past += max(0, len(seqs)-inlinePartsMax)
	}
	if keys != past {
		t.Fatalf("%s: %d p/ keys, want %d (the parts past %d a conversation)", what, keys, past, inlinePartsMax)
	}
}

// streams is every conversation's Stream.
func streams(t *testing.T, s *Store) map[string][]Part {
	t.Helper()
	out := map[string][]Part{}
	for conv := range partsOfLog(t, s) {
		parts, err := s.Stream(conv)
		if err != nil {
			t.Fatal(err)
		}
		out[conv] = parts
	}
	return out
}

// windowOf is what EventsSince gives from since.
func windowOf(t *testing.T, s *Store, since time.Time) []uint64 {
	t.Helper()
	var seqs []uint64
	if err := s.EventsSince(since, func(seq uint64, _ domain.Event) error {
		seqs = append(seqs, seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return seqs
}

// TestRecordsHoldTheirPartsInLogOrder: with parts delivered in any order
// (late ones placed and their conversations rebuilt), each record names
// its conversation's log entries in log order, the first inlinePartsMax
// of them inline and the rest as p/ keys; no p/ key is written below the
// bound; check agrees; and a conversation's stream and the what-if window
// are those of a store with every part inline.
func TestRecordsHoldTheirPartsInLogOrder(t *testing.T) {
	defer func(n int) { inlinePartsMax = n }(inlinePartsMax)
	evs := randomParts(3, 400)
	var want map[string][]Part
	var wantWindow []uint64
	for _, bound := range []int{1 << 20, 128, 3, 1} {
		inlinePartsMax = bound
		s := openDir(t, t.TempDir())
		deliverShuffled(t, s, evs, rand.New(rand.NewPCG(3, 3)))
		what := fmt.Sprintf("%d parts inline", bound)
		mustHoldTheLogsParts(t, s, what)
		if got := checkDiffs(t, s); got != "" {
			t.Fatalf("%s: check: %s", what, got)
		}
		got, window := streams(t, s), windowOf(t, s, evs[len(evs)/2].At)
		if want == nil {
			want, wantWindow = got, window
		} else if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(window, wantWindow) {
			t.Fatalf("%s: the streams or the window differ from those of every part inline", what)
		}
		s.Close()
	}
}

// TestErasureRebuildsTheRecordsParts: an erasure's rebuild writes records
// whose parts are the new log's, with the same p/ keys past the bound,
// and check agrees.
func TestErasureRebuildsTheRecordsParts(t *testing.T) {
	defer func(n int) { inlinePartsMax = n }(inlinePartsMax)
	inlinePartsMax = 3
	s := openDir(t, t.TempDir())
	defer func() { s.Close() }()
	deliverShuffled(t, s, randomParts(5, 200), rand.New(rand.NewPCG(5, 5)))
	before := partsOfLog(t, s)
	if _, err := s.Forget(simulate.ReplayInto, domain.Erasure{Conversation: "c1", By: "dpo"}); err != nil {
		t.Fatal(err)
	}
	mustHoldTheLogsParts(t, s, "after the erasure")
	if got := checkDiffs(t, s); got != "" {
		t.Fatalf("check after the erasure: %s", got)
	}
	after := partsOfLog(t, s)
	delete(before, "c1")
	for conv, seqs := range before {
		if len(after[conv]) != len(seqs) {
			t.Errorf("%s had %d parts, %d after the erasure", conv, len(seqs), len(after[conv]))
		}
	}
}

// TestSchema9StoreFoldsItsPartsAtAWritableOpen: a store holding every
// part as a p/ key (schema 9) reads the same read-only (streams, the
// what-if window), which csat check alone refuses; a writable open folds
// the parts into the records, in transactions, and when killed midway
// (the store then half folded, which a reader reads the same) the next
// writable open finishes it: the store is then exactly what this build
// writes, and check agrees.
func TestSchema9StoreFoldsItsPartsAtAWritableOpen(t *testing.T) {
	defer func(n, c int) { inlinePartsMax, upgradeChunk, foldFault = n, c, nil }(inlinePartsMax, upgradeChunk)
	inlinePartsMax, upgradeChunk = 4, 300 // a few conversations a transaction
	dir := t.TempDir()
	s := openDir(t, dir)
	deliverShuffled(t, s, randomParts(7, 300), rand.New(rand.NewPCG(7, 7)))
	want, wantStreams := dumpKeys(t, s), streams(t, s)
	since := s.Latest().Add(-48 * time.Hour)
	wantWindow := windowOf(t, s, since)
	unfoldParts(t, s)
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keySchema, encodeSchema(9)) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	readsTheSame := func(what string) {
		t.Helper()
		ro, err := Open(Options{Dir: dir, ReadOnly: true, memTableSize: 2 << 20})
		if err != nil {
			t.Fatalf("%s: read-only open: %v", what, err)
		}
		defer ro.Close()
		if !reflect.DeepEqual(streams(t, ro), wantStreams) || !reflect.DeepEqual(windowOf(t, ro, since), wantWindow) {
			t.Fatalf("%s: a read-only open reads other streams or another window", what)
		}
		if _, err := ro.Check(simulate.ReplayInto); !errors.Is(err, ErrOlderSchema) {
			t.Fatalf("%s: check of schema 9: %v, want ErrOlderSchema", what, err)
		}
	}
	readsTheSame("schema 9")
	killed := errors.New("killed")
	folds := 0
	foldFault = func() error {
		if folds++; folds == 3 {
			return killed
		}
		return nil
	}
	if _, err := Open(Options{Dir: dir, memTableSize: 2 << 20}); !errors.Is(err, killed) {
		t.Fatalf("upgrade killed midway: %v", err)
	}
	foldFault = nil
	readsTheSame("half folded")
	s = openDir(t, dir)
	defer s.Close()
	if got := dumpKeys(t, s); got != want {
		t.Fatalf("after the upgrade the store differs from one this build wrote:\n%s", firstDiff(got, want))
	}
	if got := checkDiffs(t, s); got != "" {
		t.Fatalf("check after the upgrade: %s", got)
	}
}

// A conversation record's two decoders, the whole one and the parts
// reader's (which reads past the strings), agree on any bytes: both fail,
// or both read the same parts; neither panics; and a record read whole
// is written back as the same bytes.
func FuzzDecodeConversation(f *testing.F) {
	s := openMem(f)
	if _, err := s.ApplyBatch(everyKind()); err != nil {
		f.Fatal(err)
	}
	txn, _, done := s.snapshot()
	err := iterate(txn, prefix(pConv), func(_, v []byte) error {
		f.Add(bytes.Clone(v))
		f.Add(bytes.Clone(v[:len(v)-2]))
		return nil
	})
	done()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		r, errWhole := decodeConversation(v, "c")
		parts, errParts := recordParts(v, "c")
		switch {
		case (errWhole == nil) != (errParts == nil):
			t.Fatalf("the whole decoder says %v, the parts reader %v", errWhole, errParts)
		case errWhole != nil:
			return
		case !reflect.DeepEqual(r.parts, parts):
			t.Fatalf("the whole decoder read parts %+v, the parts reader %+v", r.parts, parts)
		}
		if again := encodeConversation(&r); !bytes.Equal(again, v) && !r.parts.keyed {
			back, err := decodeConversation(again, "c")
			if err != nil || !reflect.DeepEqual(back, r) {
				t.Fatalf("%x read as %+v is written as %x, read back as %+v (%v)", v, r, again, back, err)
			}
		}
	})
}
