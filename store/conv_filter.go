package store

// A load's filter of the conversations it may have written. A load meets
// each conversation first as one the store does not hold, and Badger
// answers that only after looking in every memtable, every level-0 table's
// bloom filter and one table a level below, and seeking into each table
// whose filter errs: a new conversation's read cost about 12 us of CPU on
// the dense load, where a stored one's comes from the batch before or the
// writer's cache (BENCHMARKS.md, "The loader's own work"). A pipeline that
// starts on a store holding no conversation record (a fresh load, the
// usual one) knows every v/ key written since: its batches wrote them all,
// and the pipeline holds the write lock. It keeps their ids in a bloom
// filter, and an id the filter has never seen is not read from Badger.
// The filter may err the other way (a new id it says it may have seen is
// read, and found absent), never this one: an id goes in when a batch
// finds it absent (before the batch, or a split of it, can write its
// record) and when a batch stages its record.

import (
	"hash/maphash"

	badger "github.com/dgraph-io/badger/v4"
)

// convFilter is a growing blocked bloom filter of conversation ids: a
// chain of parts, each of 512-bit blocks (one cache line), an id setting
// convFilterProbes bits of one block of the last part. Parts grow, so
// that a filter's memory is about its ids' count times
// convFilterBitsPerID, whatever the load's size, up to convFilterMaxBytes.
type convFilter struct {
	seed  maphash.Seed
	parts []convFilterPart
	bytes int
	full  bool // it took no more ids: it may hold any
}

type convFilterPart struct {
	blocks []convFilterBlock
	ids    int // added to this part
	room   int // ids it takes before the next part starts
}

type convFilterBlock [8]uint64

const (
	convFilterBitsPerID = 10
	convFilterProbes    = 6
	// convFilterFirstIDs is the first part's room, and the room of the
	// next three; every fourth part doubles it.
	convFilterFirstIDs = 1 << 18
	// convFilterMaxBytes bounds the filter (26 million ids): past it the
	// load reads every new conversation from Badger again.
	convFilterMaxBytes = 32 << 20
)

// newLoadConvFilter is a filter for a pipeline starting on txn's
// snapshot, or nil when the store holds a conversation record already.
func newLoadConvFilter(txn *badger.Txn) *convFilter {
	p := prefix(pConv)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
	defer it.Close()
	if it.Seek(p); it.ValidForPrefix(p) {
		return nil
	}
	return newConvFilter()
}

func newConvFilter() *convFilter { return &convFilter{seed: maphash.MakeSeed()} }

// mayHold says whether id was added; false is certain. No filter (nil)
// may hold any.
func (f *convFilter) mayHold(id string) bool {
	if f == nil || f.full {
		return true
	}
	return f.holdsHash(maphash.String(f.seed, id))
}

// holdsHash says whether some part has the bits of hash h set.
func (f *convFilter) holdsHash(h uint64) bool {
	for i := range f.parts {
		if f.parts[i].has(h) {
			return true
		}
	}
	return false
}

// add adds id. A filter past its memory bound takes no more and from
// then on may hold any id. An id it may hold already is not added again:
// a batch adds every conversation it writes, and a load's conversation
// is written by several batches, which filled parts with the same ids
// (four times as many parts and bytes at the 2.8M load's end, each
// probed by every new conversation's lookup).
func (f *convFilter) add(id string) {
	if f == nil || f.full {
		return
	}
	h := maphash.String(f.seed, id) // once: the check and the set share it
	if f.holdsHash(h) {
		return
	}
	n := len(f.parts)
	if n == 0 || f.parts[n-1].ids >= f.parts[n-1].room {
		room := convFilterFirstIDs << (n / 4)
		blocks := room * convFilterBitsPerID / 512
		if f.bytes+blocks*64 > convFilterMaxBytes {
			f.full, f.parts = true, nil
			return
		}
		f.parts = append(f.parts, convFilterPart{blocks: make([]convFilterBlock, blocks), room: room})
		f.bytes += blocks * 64
		n++
	}
	f.parts[n-1].set(h)
}

// block is the block of hash h, and the bits of it h sets: nine bits of
// a second mix of h for each probe.
func (p *convFilterPart) block(h uint64) (*convFilterBlock, uint64) {
	i := (h >> 32) * uint64(len(p.blocks)) >> 32
	return &p.blocks[i], h * 0x9e3779b97f4a7c15
}

func (p *convFilterPart) set(h uint64) {
	b, bits := p.block(h)
	for range convFilterProbes {
		b[bits>>6&7] |= 1 << (bits & 63)
		bits >>= 9
	}
	p.ids++
}

func (p *convFilterPart) has(h uint64) bool {
	b, bits := p.block(h)
	for range convFilterProbes {
		if b[bits>>6&7]&(1<<(bits&63)) == 0 {
			return false
		}
		bits >>= 9
	}
	return true
}
