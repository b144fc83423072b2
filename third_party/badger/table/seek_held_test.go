package table

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/y"
)

// heldTables builds n in-memory tables of small compressed blocks holding
// the even keys k000000, k000002, … in turn, and returns them with the
// keys in order.
func heldTables(t *testing.T, n, perTable int) ([]*Table, []string) {
	t.Helper()
	opts := Options{BlockSize: 256, Compression: options.Snappy, ChkMode: options.OnBlockRead, BloomFalsePositive: 0.01, TableSize: 1 << 20}
	var tables []*Table
	var keys []string
	for i := range n {
		b := NewTableBuilder(opts)
		for j := range perTable {
			k := fmt.Sprintf("k%06d", 2*(i*perTable+j))
			keys = append(keys, k)
			b.Add(y.KeyWithTs([]byte(k), 1), y.ValueStruct{Value: []byte("value of " + k)}, 0)
		}
		tab, err := OpenInMemoryTable(b.Finish(), uint64(i+1), &opts)
		b.Close()
		if err != nil {
			t.Fatal(err)
		}
		if tab.offsetsLength() < 4 {
			t.Fatalf("table %d has %d blocks, want several", i, tab.offsetsLength())
		}
		tables = append(tables, tab)
	}
	return tables, keys
}

// A seek into the block or the table an iterator already holds (csat's
// shortcuts: heldBlockAfter, heldTableFor, and no fetch of the held block)
// lands where a seek from scratch would, whichever way it moves: a
// what-if seeks forward through nearby keys, other readers anywhere.
func TestSeekNearHeldBlock(t *testing.T) {
	tables, keys := heldTables(t, 3, 400)
	defer func() {
		for _, tab := range tables {
			_ = tab.DecrRef()
		}
	}()
	concat := NewConcatIterator(tables, 0)
	defer concat.Close()
	single := tables[1].NewIterator(0)
	defer single.Close()
	rng := rand.New(rand.NewSource(1))
	at := 0
	for step := range 20000 {
		switch r := rng.Intn(20); {
		case r < 14: // forward, near: the same block, the next, a few on
			at += rng.Intn(12)
		case r < 17: // back, near
			at -= rng.Intn(40)
		case r < 19: // anywhere, past both ends too
			at = rng.Intn(2*len(keys)+40) - 20
		default: // far forward
			at += rng.Intn(600)
		}
		at = max(-20, min(at, 2*len(keys)+20))
		target := fmt.Sprintf("k%06d", max(at, 0))
		if at < 0 {
			target = "a"
		}
		for _, it := range []struct {
			name string
			y.Iterator
			keys []string
		}{{"concat", concat, keys}, {"table", single, keys[400:800]}} {
			it.Seek(y.KeyWithTs([]byte(target), 1))
			i := sort.SearchStrings(it.keys, target)
			for n := 0; n < 3; n++ {
				if i+n >= len(it.keys) {
					if it.Valid() {
						t.Fatalf("step %d, %s: seek %s then %d nexts: at %s, want the end", step, it.name, target, n, y.ParseKey(it.Key()))
					}
					break
				}
				if !it.Valid() || string(y.ParseKey(it.Key())) != it.keys[i+n] {
					t.Fatalf("step %d, %s: seek %s then %d nexts: valid %v, want %s", step, it.name, target, n, it.Valid(), it.keys[i+n])
				}
				if v := string(it.Value().Value); v != "value of "+it.keys[i+n] {
					t.Fatalf("step %d, %s: value %q at %s", step, it.name, v, it.keys[i+n])
				}
				it.Next()
			}
		}
	}
}

// A reversed iterator's seek (the key at or before) is unchanged.
func TestSeekReversedNearHeldBlock(t *testing.T) {
	tables, keys := heldTables(t, 2, 300)
	defer func() {
		for _, tab := range tables {
			_ = tab.DecrRef()
		}
	}()
	it := NewConcatIterator(tables, REVERSED)
	defer it.Close()
	rng := rand.New(rand.NewSource(2))
	at := 2 * len(keys)
	for step := range 5000 {
		at -= rng.Intn(10) - 2
		at = max(1, min(at, 2*len(keys)+10))
		target := fmt.Sprintf("k%06d", at)
		it.Seek(y.KeyWithTs([]byte(target), 0))
		i := sort.SearchStrings(keys, target)
		if i == len(keys) || keys[i] != target {
			i--
		}
		if i < 0 {
			if it.Valid() {
				t.Fatalf("step %d: seek %s: at %s, want the start", step, target, y.ParseKey(it.Key()))
			}
			continue
		}
		if !it.Valid() || string(y.ParseKey(it.Key())) != keys[i] {
			t.Fatalf("step %d: seek %s: valid %v, want %s", step, target, it.Valid(), keys[i])
		}
	}
}
