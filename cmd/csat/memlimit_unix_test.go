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
