package store

import (
	"testing"

	"github.com/dgraph-io/ristretto/v2/z"
)

// Badger builds every table in an allocator from its pool and grows it
// to a few times its first buffer (a 4 MiB table's raw and compressed
// blocks). A pool that kept the grown allocators held a bulk writer's
// heap at the size of its biggest compactions, whatever it wrote next
// (third_party/ristretto/CSAT.md): an allocator handed back is let go,
// and the next table starts from a fresh first buffer.
func TestTableBuilderMemoryIsNotPooled(t *testing.T) {
	pool := z.NewAllocatorPool(8)
	defer pool.Release()
	const first = 1 << 20
	a := pool.Get(first, "TableBuilder")
	for range 12 {
		a.Allocate(first / 2)
	}
	if a.Allocated() <= first {
		t.Fatalf("the allocator did not grow: %d bytes", a.Allocated())
	}
	pool.Return(a)
	b := pool.Get(first, "TableBuilder")
	defer pool.Return(b)
	if b == a {
		t.Fatal("the pool handed back the grown allocator")
	}
	if got := b.Allocated(); got != first {
		t.Errorf("the next allocator from the pool holds %d bytes, want its first buffer (%d)", got, first)
	}
}
