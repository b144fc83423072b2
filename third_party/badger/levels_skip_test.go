package badger

import (
	"bytes"
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
)

// compactL0Into runs one compaction of level 0 into base, as a compactor would.
func compactL0Into(t *testing.T, db *DB, base int) {
	t.Helper()
	targets := db.lc.levelTargets()
	targets.baseLevel = base
	if err := db.lc.doCompact(-1, compactionPriority{level: 0, t: targets}); err != nil {
		t.Fatal(err)
	}
}

// checkLevelsSorted fails the test if two tables of a level below 0
// overlap by key, or a level's tables are out of key order.
func checkLevelsSorted(t *testing.T, db *DB) {
	t.Helper()
	for _, lh := range db.lc.levels[1:] {
		lh.RLock()
		tables := append([]*table.Table(nil), lh.tables...)
		lh.RUnlock()
		for i := 1; i < len(tables); i++ {
			prev, next := y.ParseKey(tables[i-1].Biggest()), y.ParseKey(tables[i].Smallest())
			if bytes.Compare(prev, next) >= 0 {
				t.Fatalf("level %d: table %d ends at %q, table %d after it starts at %q",
					lh.level, tables[i-1].ID(), prev, tables[i].ID(), next)
			}
		}
	}
}

// versioned returns the entries of keys at version, in key order.
func versioned(version uint64, keys ...string) []entry {
	sort.Strings(keys)
	return keysAt(version, keys...)
}

// Every level-0 table spans every family, but most base-level tables
// receive no key from it: old log entries, records of conversations
// that no longer change. The compaction leaves those where they are,
// same file, and ends its own tables before each, so the level stays
// sorted; every key reads back at its newest version, and a key deleted
// in level 0 stays deleted.
func TestCompactionOutOfLevel0LeavesTheTablesNoKeyReaches(t *testing.T) {
	db := openManagedForMoves(t, tempDir(t))
	defer db.Close()
	oldLog := addEntries(t, db, 5, keysAt(1, "l/0000", "l/0001", "l/0002")...)
	activeP := addEntries(t, db, 5, keysAt(1, "p/a000", "p/a001")...)
	doneP := addEntries(t, db, 5, keysAt(1, "p/b000", "p/b001")...)
	activeU := addEntries(t, db, 5, keysAt(1, "u/a000/1", "u/a000/2")...)
	activeV := addEntries(t, db, 5, keysAt(1, "v/a", "v/b")...)
	oldX := addEntries(t, db, 5, keysAt(1, "x/0000", "x/0001")...)
	addEntries(t, db, 0, append(append(versioned(2, "a/0001", "l/0100", "p/a001"),
		entry{key: "u/a000/1", version: 2, deleted: true}), versioned(2, "v/b", "x/0100")...)...)
	addEntries(t, db, 0, versioned(3, "a/0002", "l/0101", "p/a001", "p/c000", "w/0001")...)
	before := readAll(t, db)

	compactL0Into(t, db, 5)

	for _, tab := range []*table.Table{oldLog, doneP, oldX} {
		if got := levelOf(db, tab.ID()); got != 5 {
			t.Errorf("table %d [%s, %s] is at level %d, want it left at 5", tab.ID(),
				y.ParseKey(tab.Smallest()), y.ParseKey(tab.Biggest()), got)
		}
	}
	for _, tab := range []*table.Table{activeP, activeU, activeV} {
		if got := levelOf(db, tab.ID()); got != -1 {
			t.Errorf("table %d [%s, %s] is at level %d, want it rewritten", tab.ID(),
				y.ParseKey(tab.Smallest()), y.ParseKey(tab.Biggest()), got)
		}
	}
	if got := db.lc.skips.skipped.Load(); got != 3 {
		t.Errorf("%d tables left out, want 3", got)
	}
	if got := db.lc.levels[0].numTables(); got != 0 {
		t.Errorf("level 0 still holds %d tables", got)
	}
	checkLevelsSorted(t, db)
	after := readAll(t, db)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("read %v after the compaction, %v before", after, before)
	}
	want := "[a/0001=a/0001@2 a/0002=a/0002@3 l/0000=l/0000@1 l/0001=l/0001@1 l/0002=l/0002@1 " +
		"l/0100=l/0100@2 l/0101=l/0101@3 p/a000=p/a000@1 p/a001=p/a001@3 p/b000=p/b000@1 " +
		"p/b001=p/b001@1 p/c000=p/c000@3 u/a000/2=u/a000/2@1 v/a=v/a@1 v/b=v/b@2 w/0001=w/0001@3 " +
		"x/0000=x/0000@1 x/0001=x/0001@1 x/0100=x/0100@2]"
	if fmt.Sprint(after) != want {
		t.Errorf("read %v, want %v", after, want)
	}
}

// Below level 0 too: a table of active conversations' records spans
// records of finished ones in the next level, and those stay where they
// are. The table is rewritten, not moved, since it overlaps one.
func TestCompactionBelowLevel0LeavesTheTablesNoKeyReaches(t *testing.T) {
	db := openManagedForMoves(t, tempDir(t))
	defer db.Close()
	addEntries(t, db, 6, keysAt(1, "p/0000")...)
	active := addEntries(t, db, 5, keysAt(1, "p/a000", "p/a001")...)
	done := addEntries(t, db, 5, keysAt(1, "p/b000", "p/b001")...)
	beyond := addEntries(t, db, 5, keysAt(1, "p/d000")...)
	top := addEntries(t, db, 4, keysAt(2, "p/a001", "p/c000")...)
	before := readAll(t, db)

	compactLevel(t, db, 4)
	if got := levelOf(db, top.ID()); got != -1 {
		t.Errorf("top table %d is at level %d, want it rewritten", top.ID(), got)
	}
	if got := levelOf(db, active.ID()); got != -1 {
		t.Errorf("table %d that a key reaches is at level %d, want it rewritten", active.ID(), got)
	}
	for _, tab := range []*table.Table{done, beyond} {
		if got := levelOf(db, tab.ID()); got != 5 {
			t.Errorf("table %d is at level %d, want it left at 5", tab.ID(), got)
		}
	}
	checkLevelsSorted(t, db)
	if after := readAll(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("read %v after the compaction, %v before", after, before)
	}
}

func TestTouchedTables(t *testing.T) {
	db := openManagedForMoves(t, tempDir(t))
	defer db.Close()
	var cands []*table.Table
	for _, keys := range [][]string{{"b", "c"}, {"d", "f"}, {"g", "h"}, {"i", "k"}, {"m", "n"}} {
		cands = append(cands, addEntries(t, db, 5, keysAt(1, keys...)...))
	}
	// An older version of "d" sorts after a newer one: the key, not the
	// version, decides.
	top := []*table.Table{
		addEntries(t, db, 0, keysAt(9, "a", "d", "j", "z")...),
		addEntries(t, db, 0, keysAt(9, "e")...),
	}
	got := fmt.Sprint(touchedTables(top, cands))
	if want := "[false true false true false]"; got != want {
		t.Errorf("touched %s, want %s", got, want)
	}
}

// A store's own compactors, writing families as csat does (a log at its
// end, records and counters changed all over, markers deleted), leave
// tables out, keep every level sorted, and every key reads back, before
// and after a reopen.
func TestCompactionsLeavingTablesOutKeepEveryKey(t *testing.T) {
	dir := tempDir(t)
	opt := DefaultOptions(dir).WithMemTableSize(64 << 10).WithBaseTableSize(8 << 10).
		WithBaseLevelSize(64 << 10).WithLevelSizeMultiplier(4).WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4).WithNumCompactors(2).WithNumVersionsToKeep(1).
		WithValueThreshold(1 << 10).WithLoggingLevel(WARNING)
	db, err := Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	rng := rand.New(rand.NewSource(2))
	value := bytes.Repeat([]byte("x"), 60)
	set := func(wb *WriteBatch, k, v string) {
		y.Check(wb.Set([]byte(k), []byte(v)))
		want[k] = v
	}
	for batch := range 300 {
		wb := db.NewWriteBatch()
		for i := range 40 {
			seq := batch*40 + i
			set(wb, fmt.Sprintf("l/%08d", seq), fmt.Sprintf("%d%s", seq, value))
			conv := seq/8 - rng.Intn(30)
			set(wb, fmt.Sprintf("p/%d/%08d", max(conv, 0), seq), "")
			set(wb, fmt.Sprintf("v/%d", max(conv, 0)), fmt.Sprint(seq))
			set(wb, fmt.Sprintf("a/%03d", rng.Intn(50)), fmt.Sprint(seq))
			old := fmt.Sprintf("u/%d/%d", conv, seq-1)
			y.Check(wb.Delete([]byte(old)))
			delete(want, old)
			set(wb, fmt.Sprintf("u/%d/%d", conv, seq), "")
		}
		y.Check(wb.Flush())
	}
	check := func(when string) {
		t.Helper()
		checkLevelsSorted(t, db)
		var got []string
		y.Check(db.View(func(txn *Txn) error {
			it := txn.NewIterator(DefaultIteratorOptions)
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				got = append(got, string(it.Item().Key())+"="+string(v))
			}
			return nil
		}))
		var keys []string
		for k := range want {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(got) != len(keys) {
			t.Fatalf("%s: %d keys, want %d", when, len(got), len(keys))
		}
		for i, k := range keys {
			if got[i] != k+"="+want[k] {
				t.Fatalf("%s: key %d is %.40q, want %.40q", when, i, got[i], k+"="+want[k])
			}
		}
	}
	check("written")
	y.Check(db.Flatten(1))
	check("flattened")
	if db.lc.skips.skipped.Load() == 0 {
		t.Errorf("no table was left out (%d taken)", db.lc.skips.taken.Load())
	}
	y.Check(db.Close())
	db, err = Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check("reopened")
}
