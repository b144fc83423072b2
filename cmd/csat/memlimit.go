package main

import (
	"math"
	"runtime/debug"
	"sync"

	"github.com/dgraph-io/ristretto/v2/z"
)

// limitWithMapped makes budget the soft limit of the Go heap and of
// Badger's mapped buffers together. Badger builds every table in buffers
// that z.Calloc maps outside the heap (third_party/ristretto/CSAT.md):
// tens of megabytes while compactions run, which the runtime's limit does
// not see, so the heap's limit is the budget less what is mapped, set
// again each time that changes. Without it a load's resident set passed
// 256 MB at the same budget (BENCHMARKS.md). A budget of 0 is none: the
// runtime's default, no limit.
func limitWithMapped(budget int64) {
	heapLimit.Lock()
	heapLimit.budget = budget
	heapLimit.Unlock()
	if budget == 0 {
		z.WatchMapped(nil) // no budget: nothing to follow
	} else {
		z.WatchMapped(setHeapLimit)
	}
	setHeapLimit(z.NumAllocBytes())
}

// heapLimit is the budget limitWithMapped set, and what the command's
// own work holds beside it (holdBeside), behind the lock that keeps two
// changes of the mapped bytes from setting the limit out of order.
var heapLimit struct {
	sync.Mutex
	budget int64
	beside int64
}

// holdBeside says that the command's own work needs bytes of heap beside
// the budget: a load's generator, for its conversations in flight
// (simulate/load_held.go; holdGenerator). They are not the store's to
// give back, and the collector cannot free them: left inside the budget,
// at the 10M-rating load's density they took most of it, the live heap
// sat at the limit and the collector ran without pause (30% of the
// load's CPU, BENCHMARKS.md). So the heap's limit is the budget plus them, and the
// store's share (its memtables, caches and table builders) stays what
// the budget leaves it, whatever the density. The limit moves only when
// they change by a MiB or more: a load reports them after every batch.
// Without a budget (GOMEMLIMIT set, or none) it changes nothing.
func holdBeside(bytes int64) {
	heapLimit.Lock()
	moved := bytes-heapLimit.beside >= 1<<20 || heapLimit.beside-bytes >= 1<<20 || (bytes == 0) != (heapLimit.beside == 0)
	if moved {
		heapLimit.beside = bytes
	}
	budgeted := heapLimit.budget != 0
	heapLimit.Unlock()
	if moved && budgeted {
		setHeapLimit(z.NumAllocBytes())
	}
}

// minHeapLimit keeps the heap's limit from falling to nothing under many
// mapped buffers: the collector would then run without pause.
const minHeapLimit = 32 << 20

// setHeapLimit sets the heap's limit from the budget, what is held beside
// it and what is mapped; no budget (0) is the runtime's default, no limit.
func setHeapLimit(_ int64) {
	heapLimit.Lock()
	defer heapLimit.Unlock()
	if heapLimit.budget == 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	debug.SetMemoryLimit(max(heapLimit.budget+heapLimit.beside-z.NumAllocBytes(), minHeapLimit))
}

// loadStoreBudget is a load's budget without its generator's
// conversations in flight, which holdGenerator adds as they come and go.
// bulkMemoryLimit was measured with them inside, room to grow included:
// about 16 MiB at the reference load's density, where 8 to 17 thousand
// are in flight as the hours go by (10 to 21 MB then, 8 to 17 since
// simulate's conversations shrank). So the reference load's limit stays
// about where it was (168 to 176 MiB), a sparser load's is lower and a
// denser one's grows with what its generator holds.
const (
	loadStoreBudget      = bulkMemoryLimit - loadReferenceHolding
	loadReferenceHolding = 16 << 20
)

// holdGenerator is what a load's budget leaves beside the store's share
// for a generator holding bytes for its conversations in flight: those
// bytes, and as many again for what they exceed the reference load's.
// The collector paces a heap by what is live (GOGC 100: a cycle when the
// heap has grown by as much again); a budget that counts the generator's
// live bytes but not that room makes each cycle come sooner as the set
// in flight grows, and every cycle marks all of it (the shadow's
// conversations are pointers). At the reference load's density the
// budget's own room, measured with the generator inside it, serves, so
// its limit stays where it was; at the 10M-rating load's density (100 to
// 125 MB in flight) the limit is about 160 + 2 × 110 MiB.
func holdGenerator(bytes int64) {
	holdBeside(bytes + max(0, bytes-loadReferenceHolding))
}
