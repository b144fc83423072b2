/*
 * SPDX-FileCopyrightText: © 2017-2025 Istari Digital, Inc.
 * SPDX-License-Identifier: Apache-2.0
 */

package badger

// csat: a compaction into level i >= 1 takes as its bottom tables
// (compactDef.bot) only those of level i whose key range holds some key of
// its top tables (touchedTables), not every table inside the top tables'
// range. Every level-0 table is one memtable and spans every key family, so
// upstream took all of the base level on every compaction out of level 0,
// although most of its tables (older log entries, records of finished
// conversations) receive no key from it. A table left out
// (compactDef.skipped) stays where it is, untouched; the compaction's output
// tables end before its smallest key (fenceCut, in subcompact), so the level
// stays sorted and non-overlapping (third_party/badger/CSAT.md, "Leaving out
// the tables no key reaches").

import (
	"bytes"
	"math"
	"sort"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
)

// skipCounts counts the tables of the next level that compactions left
// out (no top key in their range) and those they took, with their bytes.
type skipCounts struct {
	skipped, skippedBytes atomic.Uint64
	taken, takenBytes     atomic.Uint64
}

// touchedTables reports, for each of cands (tables of one level of 1 or
// more: sorted and non-overlapping), whether some table of top holds a
// key within its range (by key, whatever the versions). Each top table's
// iterator seeks once to each candidate it may reach and steps over the
// candidates its next key lies beyond, so the cost is a seek per
// candidate and top table at most, over the tables' in-memory indexes and
// one block each.
func touchedTables(top, cands []*table.Table) []bool {
	touched := make([]bool, len(cands))
	for _, t := range top {
		markTouched(t, cands, touched)
	}
	return touched
}

func markTouched(t *table.Table, cands []*table.Table, touched []bool) {
	it := t.NewIterator(table.NOCACHE)
	defer it.Close()
	for j := 0; j < len(cands); {
		if touched[j] {
			j++
			continue
		}
		it.Seek(y.KeyWithTs(y.ParseKey(cands[j].Smallest()), math.MaxUint64))
		if !it.Valid() {
			return
		}
		k := y.ParseKey(it.Key())
		for j < len(cands) && bytes.Compare(y.ParseKey(cands[j].Biggest()), k) < 0 {
			j++
		}
		if j < len(cands) && bytes.Compare(y.ParseKey(cands[j].Smallest()), k) <= 0 {
			touched[j] = true
			j++
		}
	}
}

// takeTouched sets cd.bot to the tables of cands (the next level's
// tables in cd.top's range) that cd.top's keys reach, and cd.skipped to
// the others, which stay in the next level. A compaction dropping
// prefixes takes every table, as upstream.
func takeTouched(cd *compactDef, cands []*table.Table) {
	cd.bot, cd.skipped = make([]*table.Table, 0, len(cands)), nil
	if len(cd.dropPrefixes) > 0 || len(cands) == 0 {
		cd.bot = append(cd.bot, cands...)
		return
	}
	for i, touched := range touchedTables(cd.top, cands) {
		if touched {
			cd.bot = append(cd.bot, cands[i])
		} else {
			cd.skipped = append(cd.skipped, cands[i])
		}
	}
}

// note counts the tables a compaction took and left out below.
func (c *skipCounts) note(cd *compactDef) {
	for _, t := range cd.bot {
		c.taken.Add(1)
		c.takenBytes.Add(uint64(t.Size()))
	}
	for _, t := range cd.skipped {
		c.skipped.Add(1)
		c.skippedBytes.Add(uint64(t.Size()))
	}
}

// newFenceCut returns the cut before each of the skipped tables.
func newFenceCut(skipped []*table.Table) *fenceCut {
	f := &fenceCut{fences: make([][]byte, len(skipped))}
	for i, t := range skipped {
		f.fences[i] = y.ParseKey(t.Smallest())
	}
	return f
}

// fenceCut tells a compaction's table builder where its output must end
// so that it does not cover a table left in the next level: before the
// first key at or after one of the fences. One per subcompaction; keys
// come in ascending order.
type fenceCut struct {
	fences [][]byte // sorted user keys: the smallest of each table left out
	next   int      // the first fence above the keys seen so far
}

// crossed reports whether key (with its version) is at or beyond a fence
// that the keys before it were below.
func (f *fenceCut) crossed(key []byte) bool {
	if f.next >= len(f.fences) {
		return false
	}
	k := y.ParseKey(key)
	if bytes.Compare(f.fences[f.next], k) > 0 {
		return false
	}
	f.next += sort.Search(len(f.fences)-f.next, func(i int) bool {
		return bytes.Compare(f.fences[f.next+i], k) > 0
	})
	return true
}
