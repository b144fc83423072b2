package store

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/y"
)

// TestRecordRangesSplitAtATablesFirstRecord: the conversation records
// are split in two by the tables' key counts, at a table's first record,
// or not at all when fewer than two tables start with one.
func TestRecordRangesSplitAtATablesFirstRecord(t *testing.T) {
	table := func(k []byte, n uint32) badger.TableInfo {
		return badger.TableInfo{Left: y.KeyWithTs(k, 1), KeyCount: n}
	}
	pre := prefix(pConv)
	tables := []badger.TableInfo{
		table(convKey("c9"), 10), table([]byte("a/x"), 100), table(convKey("c1"), 10),
		table(convKey("c5"), 10), table(partKey("c1", 1), 50),
	}
	split := convKey("c5")
	if got := recordRanges(tables); len(got) != 2 || !bytes.Equal(got[0][0], pre) || !bytes.Equal(got[0][1], split) || !bytes.Equal(got[1][0], split) || got[1][1] != nil {
		t.Errorf("split at %q", got)
	}
	whole := func(what string, tables ...badger.TableInfo) {
		t.Helper()
		if got := recordRanges(tables); len(got) != 1 || !bytes.Equal(got[0][0], pre) || got[0][1] != nil {
			t.Errorf("%s: ranges %q, want the records whole", what, got)
		}
	}
	whole("no tables")
	whole("one table of records", table(convKey("c1"), 10), table(partKey("c1", 1), 50))
}

// TestCheckScansPartsInRangesExactly: with the records scanned in many
// ranges side by side (one a conversation), a clean store has no
// differences, and damage to the parts (a record without its
// conversation's last one) and to
// the decision indexes (x/, y/) is reported as by one scan of them all.
func TestCheckScansPartsInRangesExactly(t *testing.T) {
	s := openMem(t)
	if _, err := s.ApplyBatch(everyKind()); err != nil {
		t.Fatal(err)
	}
	var bounds [][]byte
	for _, k := range keysUnder(t, s, pConv) {
		bounds = append(bounds, []byte(k))
	}
	if len(bounds) < 3 {
		t.Fatalf("%d conversations", len(bounds))
	}
	perConversation := func([]badger.TableInfo) [][2][]byte {
		ranges := [][2][]byte{{prefix(pConv), bounds[1]}}
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
	x := keysUnder(t, s, pDecision)
	first := string(bounds[0][2:])
	damage(t, s, func(txn *badger.Txn) error {
		r, _, err := getConversation(txn, first)
		if err != nil {
			return err
		}
		return dropPart(txn, first, r.parts.inline[len(r.parts.inline)-1])
	})
	damage(t, s, func(txn *badger.Txn) error {
		if err := txn.Set([]byte(x[0]), []byte{recordFormat}); err != nil {
			return err
		}
		return txn.Set(lateKey("stray"), emptyValue)
	})
	got := split()
	wantDiffs(t, checkDiffs(t, s),
		"conversation "+first,
		fmt.Sprintf("decision index entry %d", readSeq([]byte(x[0][10:]))),
		"late conversation index entry of stray: stored",
	)
	var whole []Difference
	whole, err := s.Check(simulate.ReplayInto)
	if err != nil || got != fmt.Sprint(whole) {
		t.Errorf("in ranges:\n%s\nin one scan:\n%v %v", got, whole, err)
	}
}
