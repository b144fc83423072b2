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

// heapLimit is the budget limitWithMapped set, behind the lock that
// keeps two changes of the mapped bytes from setting the limit out of
// order.
var heapLimit struct {
	sync.Mutex
	budget int64
}

// minHeapLimit keeps the heap's limit from falling to nothing under many
// mapped buffers: the collector would then run without pause.
const minHeapLimit = 32 << 20

// setHeapLimit sets the heap's limit from the budget; no budget (0) is
// the runtime's default, no limit.
func setHeapLimit(_ int64) {
	heapLimit.Lock()
	defer heapLimit.Unlock()
	if heapLimit.budget == 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	debug.SetMemoryLimit(max(heapLimit.budget-z.NumAllocBytes(), minHeapLimit))
}
