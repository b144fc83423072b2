//go:build unix

package main

import (
	"runtime/debug"
	"testing"

	"github.com/dgraph-io/ristretto/v2/z"
)

// Badger's table buffers are mapped outside the Go heap, so a command's
// memory budget lowers the heap's limit by what is mapped, and raises it
// again as the buffers are freed.
func TestSoftLimitCountsMappedBuffers(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer z.WatchMapped(nil)
	const budget = 200 << 20
	softMemoryLimit(budget)
	base := z.NumAllocBytes()
	if got := debug.SetMemoryLimit(-1); got != budget-base {
		t.Fatalf("heap limit %d, want the budget less what is mapped, %d", got, budget-base)
	}
	buf := z.Calloc(40<<20, "test")
	if got := debug.SetMemoryLimit(-1); got != budget-base-40<<20 {
		t.Errorf("with 40 MiB mapped the heap limit is %d, want %d", got, budget-base-40<<20)
	}
	z.Free(buf)
	if got := debug.SetMemoryLimit(-1); got != budget-base {
		t.Errorf("after Free the heap limit is %d, want %d", got, budget-base)
	}
	z.WatchMapped(nil)
	buf = z.Calloc(40<<20, "test")
	defer z.Free(buf)
	if got := debug.SetMemoryLimit(-1); got != budget-base {
		t.Errorf("with the watch stopped the heap limit moved to %d", got)
	}
}

// What a load's generator holds for its conversations in flight is
// beside the budget: the heap's limit rises by it and falls back when it
// is let go, and moves not at all for less than a MiB. Under GOMEMLIMIT
// there is no budget, and the limit stays the one the environment set.
func TestSoftLimitLeavesRoomForWhatIsHeldBeside(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer z.WatchMapped(nil)
	defer holdBeside(0)
	const budget = 200 << 20
	softMemoryLimit(budget)
	limit := func() int64 { return debug.SetMemoryLimit(-1) + z.NumAllocBytes() }
	holdBeside(100 << 20)
	if got := limit(); got != budget+100<<20 {
		t.Fatalf("holding 100 MiB beside a budget of 200, the limit is %d, want %d", got, budget+100<<20)
	}
	holdBeside(100<<20 + 512<<10)
	if got := limit(); got != budget+100<<20 {
		t.Errorf("half a MiB more moved the limit to %d", got)
	}
	holdBeside(0)
	if got := limit(); got != budget {
		t.Errorf("holding nothing, the limit is %d, want the budget %d", got, budget)
	}

	limitWithMapped(0) // as when GOMEMLIMIT is set: softMemoryLimit sets no budget
	debug.SetMemoryLimit(300 << 20)
	holdBeside(50 << 20)
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Errorf("without a budget, holding 50 MiB moved the limit to %d, want it left at %d", got, 300<<20)
	}
}
