package store

import (
	"testing"
	"testing/synctest"
	"time"

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

// Table builders of a deep store's compactions (five splits each, two
// compactions at once, as many tables again being written) were a bulk
// writer's peak heap: the pool hands out z.AllocatorsOut at once, and a
// builder beyond waits for one to be closed, or allocates anyway after a
// while, so that a builder an error path never closes stops nothing.
func TestTableBuildersWaitForAPlace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pool := z.NewAllocatorPool(8)
		defer pool.Release()
		var out []*z.Allocator
		for range z.AllocatorsOut {
			out = append(out, pool.Get(1<<10, "TableBuilder"))
		}
		got := make(chan *z.Allocator)
		go func() { got <- pool.Get(1<<10, "TableBuilder") }()
		synctest.Wait()
		select {
		case <-got:
			t.Fatalf("a builder got allocator %d of %d", z.AllocatorsOut+1, z.AllocatorsOut)
		default:
		}
		pool.Return(out[0])
		out[0] = <-got // handed out as the first came back

		go func() { got <- pool.Get(1<<10, "TableBuilder") }()
		time.Sleep(time.Minute) // none comes back: it allocates anyway
		late := <-got
		pool.Return(late)
		for _, a := range out {
			pool.Return(a)
		}
		start := time.Now() // every place is free again: no Get waits
		out = out[:0]
		for range z.AllocatorsOut {
			out = append(out, pool.Get(1<<10, "TableBuilder"))
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("after every allocator came back, a Get waited %v", waited)
		}
		for _, a := range out {
			pool.Return(a)
		}
	})
}
