package badger

import (
	"testing"
	"time"
)

// A merge of level 0 into itself leaves out the tables of level 0 that
// are too big, too new or being compacted into the base level, which may
// hold older versions of its keys. It keeps its delete markers, though no
// level below holds the keys: dropped, they let the older versions left
// out come back once those tables are compacted (a load's list keys, all
// those alive at one commit, came back so, BENCHMARKS.md).
func TestLevelZeroMergeKeepsTheDeleteMarkersOfKeysItLeavesOut(t *testing.T) {
	db := openManagedForMoves(t, tempDir(t))
	defer db.Close()
	old := addEntries(t, db, 0, keysAt(10, "u/a", "u/b")...)
	for i := range 4 {
		addEntries(t, db, 0,
			entry{key: "u/a", version: uint64(20 + i), deleted: true},
			entry{key: "u/c" + string(rune('0'+i)), version: uint64(20 + i)})
	}
	db.lc.levels[0].Lock()
	for _, tab := range db.lc.levels[0].tables {
		tab.CreatedAt = time.Now().Add(-time.Minute) // old enough to merge
	}
	db.lc.levels[0].Unlock()
	// The oldest table is being compacted into the base level, as by
	// another compactor: its range and id are taken.
	cs := &db.lc.cstatus
	cs.Lock()
	kr := getKeyRange(old)
	cs.levels[0].ranges = append(cs.levels[0].ranges, kr)
	cs.tables[old.ID()] = struct{}{}
	cs.Unlock()
	if err := db.lc.doCompact(0, compactionPriority{level: 0, t: db.lc.levelTargets()}); err != nil {
		t.Fatal(err)
	}
	if n := len(db.lc.levels[0].tables); n != 2 {
		t.Fatalf("level 0 holds %d tables after the merge, want the one left out and the merged one", n)
	}
	// That compaction ends without a change (the test's stand-in).
	cs.Lock()
	cs.levels[0].ranges = cs.levels[0].ranges[:0]
	delete(cs.tables, old.ID())
	cs.Unlock()
	want := []string{"u/b=u/b@10", "u/c0=u/c0@20", "u/c1=u/c1@21", "u/c2=u/c2@22", "u/c3=u/c3@23"}
	check := func(when string) {
		t.Helper()
		got := readAll(t, db)
		if len(got) != len(want) {
			t.Fatalf("%s: read %v, want %v", when, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: read %v, want %v", when, got, want)
			}
		}
	}
	check("after the merge")
	for l := 0; l < db.opt.MaxLevels-1; l++ {
		for len(db.lc.levels[l].tables) > 0 {
			compactLevel(t, db, l)
		}
	}
	check("once every table is in the last level")
}
