package store

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/y"
)

// TestPartRangesSplitAtAConversationsFirstKey: the p/ keys are split in
// two by the tables' key counts, at the first key of a conversation, or
// not at all when no split keeps each conversation on one side.
func TestPartRangesSplitAtAConversationsFirstKey(t *testing.T) {
	table := func(k []byte, n uint32) badger.TableInfo {
		return badger.TableInfo{Left: y.KeyWithTs(k, 1), KeyCount: n}
	}
	pre := prefix(pPart)
	tables := []badger.TableInfo{
		table(partKey("c9", 3), 10), table([]byte("a/x"), 100), table(partKey("c1", 1), 10),
		table(partKey("c5", 9), 10), table(convKey("c1"), 50),
	}
	split := partPrefix("c5")
	if got := partRanges(tables); len(got) != 2 || !bytes.Equal(got[0][0], pre) || !bytes.Equal(got[0][1], split) || !bytes.Equal(got[1][0], split) || got[1][1] != nil {
		t.Errorf("split at %q", got)
	}
	whole := func(what string, tables ...badger.TableInfo) {
		t.Helper()
		if got := partRanges(tables); len(got) != 1 || !bytes.Equal(got[0][0], pre) || got[0][1] != nil {
			t.Errorf("%s: ranges %q, want the p/ keys whole", what, got)
		}
	}
	whole("no tables")
	whole("one table of parts", table(partKey("c1", 1), 10), table(convKey("c1"), 50))
	whole("an id with a NUL byte", table(partKey("c1", 1), 10), table(partKey("c5\x00c6", 2), 10))
	whole("a damaged key", table(partKey("c1", 1), 10), table([]byte("p/c5"), 10))
}

// TestCheckScansPartsInRangesExactly: with the p/ keys scanned in many
// ranges side by side (one a conversation), a clean store has no
// differences, and damage to the parts (a conversation's last one) and to
// the decision indexes (x/, y/) is reported as by one scan of them all.
func TestCheckScansPartsInRangesExactly(t *testing.T) {
	s := openMem(t)
	if _, err := s.ApplyBatch(everyKind()); err != nil {
		t.Fatal(err)
	}
	var bounds [][]byte
	for _, k := range keysUnder(t, s, pPart) {
		if b := []byte(k[:len(k)-8]); len(bounds) == 0 || !bytes.Equal(bounds[len(bounds)-1], b) {
			bounds = append(bounds, b)
		}
	}
	if len(bounds) < 3 {
		t.Fatalf("%d conversations with parts", len(bounds))
	}
	perConversation := func([]badger.TableInfo) [][2][]byte {
		ranges := [][2][]byte{{prefix(pPart), bounds[1]}}
		for i := 1; i < len(bounds); i++ {
			ranges = append(ranges, [2][]byte{bounds[i], nil})
			if i+1 < len(bounds) {
				ranges[i][1] = bounds[i+1]
			}
		}
		return ranges
	}
	split := func() string {
		t.Helper()
		diffs, err := s.checkSplit(simulate.ReplayInto, nil, perConversation)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(diffs)
	}
	if got := split(); got != "[]" {
		t.Fatalf("clean store, in %d ranges: %s", len(perConversation(nil)), got)
	}
	parts, x := keysUnder(t, s, pPart), keysUnder(t, s, pDecision)
	lastOfFirst := parts[0]
	for _, k := range parts {
		if bytes.HasPrefix([]byte(k), bounds[0]) {
			lastOfFirst = k
		}
	}
	damage(t, s, func(txn *badger.Txn) error {
		if err := txn.Delete([]byte(lastOfFirst)); err != nil {
			return err
		}
		if err := txn.Set([]byte(x[0]), []byte{recordFormat}); err != nil {
			return err
		}
		return txn.Set(lateKey("stray"), emptyValue)
	})
	got := split()
	wantDiffs(t, checkDiffs(t, s),
		fmt.Sprintf("part %d of conversation %s: missing", readSeq([]byte(lastOfFirst[len(lastOfFirst)-8:])), bounds[0][2:len(bounds[0])-1]),
		fmt.Sprintf("decision index entry %d", readSeq([]byte(x[0][10:]))),
		"late conversation index entry of stray: stored",
	)
	var whole []Difference
	whole, err := s.Check(simulate.ReplayInto)
	if err != nil || got != fmt.Sprint(whole) {
		t.Errorf("in ranges:\n%s\nin one scan:\n%v %v", got, whole, err)
	}
}
