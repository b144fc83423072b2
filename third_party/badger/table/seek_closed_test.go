package table

import (
	"fmt"
	"testing"

	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/y"
)

// An iterator used after Close must not read the block it held: Close
// lets the block go, and a decompressed block's buffer goes back to z's
// free lists, where the next block another iterator decompresses takes it.
// The held-block seek (seekHelper) read it as it was.
func TestSeekAfterCloseReadsNoFreedBlock(t *testing.T) {
	opts := Options{BlockSize: 4 << 10, Compression: options.Snappy, ChkMode: options.OnBlockRead, BloomFalsePositive: 0.01, TableSize: 1 << 20}
	b := NewTableBuilder(opts)
	const n = 2000
	for i := range n {
		k := fmt.Sprintf("k%06d", i)
		b.Add(y.KeyWithTs([]byte(k), 1), y.ValueStruct{Value: []byte(fmt.Sprintf("value of %s, padded to fill blocks", k))}, 0)
	}
	tab, err := OpenInMemoryTable(b.Finish(), 1, &opts)
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tab.DecrRef() }()
	if tab.offsetsLength() < 8 {
		t.Fatalf("the table has %d blocks, want several", tab.offsetsLength())
	}
	seek := func(it *Iterator, i int) string {
		it.Seek(y.KeyWithTs([]byte(fmt.Sprintf("k%06d", i)), 1))
		if !it.Valid() {
			return "(invalid)"
		}
		return string(y.ParseKey(it.Key()))
	}
	// The free lists are sync.Pools, which may drop what they are given
	// (always some of it under the race detector): a few rounds.
	for round := range 20 {
		closed := tab.NewIterator(0)
		seek(closed, 1)
		_ = closed.Close()
		other := tab.NewIterator(0)
		seek(other, n/2) // decompresses a block of the same size, into the freed buffer when the pool hands it back
		if got, want := seek(closed, 2), fmt.Sprintf("k%06d", 2); got != want {
			t.Fatalf("round %d: a seek after Close landed at %s, want %s", round, got, want)
		}
		_ = other.Close()
	}
}
