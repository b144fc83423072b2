package table

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/y"
)

// modelEntry is an entry of modelTables, its key with its version.
type modelEntry struct{ key, value string }

// modelTables builds in-memory tables of small blocks whose keys come in
// runs of versions that straddle the blocks' edges, some tables ending in
// a block of one entry, and returns them with every entry in order.
func modelTables(t *testing.T, rng *rand.Rand, n int) ([]*Table, []modelEntry) {
	t.Helper()
	opts := Options{BlockSize: 200, Compression: options.Snappy, ChkMode: options.OnBlockRead, BloomFalsePositive: 0.01, TableSize: 1 << 20}
	var tables []*Table
	var all []modelEntry
	k := 0
	for i := range n {
		b := NewTableBuilder(opts)
		entries := 20 + rng.Intn(120)
		for e := 0; e < entries; k++ {
			versions := 1 + rng.Intn(4)
			for v := versions; v >= 1 && e < entries; v-- { // newest first, as tables hold them
				key := string(y.KeyWithTs([]byte(fmt.Sprintf("k%05d", 3*k)), uint64(v)))
				value := fmt.Sprintf("value of %d@%d", k, v)
				b.Add([]byte(key), y.ValueStruct{Value: []byte(value)}, 0)
				all = append(all, modelEntry{key, value})
				e++
			}
		}
		tab, err := OpenInMemoryTable(b.Finish(), uint64(i+1), &opts)
		b.Close()
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tab)
	}
	return tables, all
}

// at is where a seek lands in entries: the first at or after key, or
// with reversed the last at or before it; len(entries) or -1 when none.
func at(entries []modelEntry, key []byte, reversed bool) int {
	i := sort.Search(len(entries), func(i int) bool { return y.CompareKeys([]byte(entries[i].key), key) >= 0 })
	if !reversed {
		return i
	}
	if i < len(entries) && y.CompareKeys([]byte(entries[i].key), key) == 0 {
		return i
	}
	return i - 1
}

// Any run of seeks, steps and rewinds, forward or reversed, over one
// table or a level of them, reads what a model of the entries says: the
// held block and table are reused at their edges (the first and last
// entry of a block, a key's versions split over two blocks, a table's
// last block of one entry, the end of the table and of the level) as
// anywhere else.
func TestHeldSeeksAgreeWithAModel(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewSource(seed))
		tables, all := modelTables(t, rng, 4)
		for _, reversed := range []bool{false, true} {
			opt := 0
			if reversed {
				opt = REVERSED
			}
			one := tables[rng.Intn(len(tables))]
			var oneEntries []modelEntry
			for _, e := range all {
				if y.CompareKeys([]byte(e.key), one.Smallest()) >= 0 && y.CompareKeys([]byte(e.key), one.Biggest()) <= 0 {
					oneEntries = append(oneEntries, e)
				}
			}
			for _, it := range []struct {
				name string
				y.Iterator
				entries []modelEntry
			}{{"level", NewConcatIterator(tables, opt), all}, {"table", one.NewIterator(opt), oneEntries}} {
				name := fmt.Sprintf("seed %d, %s, reversed %v", seed, it.name, reversed)
				runModel(t, name, rng, it.Iterator, it.entries, reversed)
				if err := it.Close(); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tab := range tables {
			_ = tab.DecrRef()
		}
	}
}

// runModel drives it with random operations, checking each against
// entries.
func runModel(t *testing.T, name string, rng *rand.Rand, it y.Iterator, entries []modelEntry, reversed bool) {
	t.Helper()
	pos := -2 // not positioned
	step := 1
	if reversed {
		step = -1
	}
	for op := range 4000 {
		var did string
		switch r := rng.Intn(10); {
		case r < 5 || pos == -2: // a seek: to an entry, a version beside it, between keys, past the ends
			var key []byte
			switch {
			case len(entries) > 0 && rng.Intn(4) > 0:
				e := entries[rng.Intn(len(entries))]
				ts := y.ParseTs([]byte(e.key)) + uint64(rng.Intn(3)) - 1
				key = y.KeyWithTs(y.ParseKey([]byte(e.key)), ts)
			default:
				key = y.KeyWithTs([]byte(fmt.Sprintf("k%05d", rng.Intn(3*len(entries)+20)-10)), uint64(rng.Intn(5)))
			}
			it.Seek(key)
			pos, did = at(entries, key, reversed), fmt.Sprintf("seek %q", key)
		case r < 9:
			if pos < 0 || pos >= len(entries) {
				continue // Next on an iterator past its end is not allowed
			}
			it.Next()
			pos, did = pos+step, "next"
		default:
			it.Rewind()
			pos, did = 0, "rewind"
			if reversed {
				pos = len(entries) - 1
			}
		}
		if pos < 0 || pos >= len(entries) {
			if it.Valid() {
				t.Fatalf("%s, op %d (%s): at %q, want the end", name, op, did, it.Key())
			}
			continue
		}
		if !it.Valid() || string(it.Key()) != entries[pos].key || string(it.Value().Value) != entries[pos].value {
			t.Fatalf("%s, op %d (%s): valid %v, want %q", name, op, did, it.Valid(), entries[pos].key)
		}
	}
}
