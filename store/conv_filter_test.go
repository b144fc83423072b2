package store

import (
	"fmt"
	"testing"

	"github.com/csat-app/csat/simulate"
)

// Every id added is held, across the filter's parts; of ids never added,
// few are said to be held.
func TestConvFilterHoldsEveryIDAdded(t *testing.T) {
	f := newConvFilter()
	// An id the filter may hold already (one in a hundred or so, by
	// mistake) is not added: the margin keeps the fourth part started.
	const n = 3*convFilterFirstIDs + 50000
	for i := range n {
		f.add(fmt.Sprintf("s7-%d", i))
	}
	if len(f.parts) != 4 {
		t.Errorf("%d parts for %d ids, want 4", len(f.parts), n)
	}
	for i := range n {
		if id := fmt.Sprintf("s7-%d", i); !f.mayHold(id) {
			t.Fatalf("%s added but not held", id)
		}
	}
	wrong := 0
	for i := range 100000 {
		if f.mayHold(fmt.Sprintf("s8-%d", i)) {
			wrong++
		}
	}
	if wrong > 100000*8/100 { // four parts, each about 1.5%
		t.Errorf("%d of 100000 ids never added are said held", wrong)
	}
}

// An id added again takes no more room: a load's batches add every
// conversation they write, most of them more than once.
func TestConvFilterTakesAnIDOnce(t *testing.T) {
	f := newConvFilter()
	const n = convFilterFirstIDs + 20000
	for range 5 {
		for i := range n {
			f.add(fmt.Sprintf("s7-%d", i))
		}
	}
	if len(f.parts) != 2 {
		t.Errorf("%d parts for %d ids added five times each, want 2", len(f.parts), n)
	}
	if got := f.parts[0].ids + f.parts[1].ids; got > n {
		t.Errorf("the parts count %d ids, for %d added", got, n)
	}
	for i := range n {
		if id := fmt.Sprintf("s7-%d", i); !f.mayHold(id) {
			t.Fatalf("%s added but not held", id)
		}
	}
}

// A filter past its memory bound takes no more ids and says of every id
// that it may hold it; no filter (nil) says so too.
func TestFullConvFilterMayHoldAnyID(t *testing.T) {
	f := newConvFilter()
	f.bytes = convFilterMaxBytes
	f.add("a")
	if !f.full || !f.mayHold("b") {
		t.Errorf("a filter past its bound: full %v, holds an id never added %v", f.full, f.mayHold("b"))
	}
	var none *convFilter
	none.add("a")
	if !none.mayHold("b") {
		t.Error("no filter says an id is absent")
	}
}

// A pipeline that began on an empty store reads its conversations back
// through its filter: without the writer's cache, a conversation a batch
// two or more back wrote is read from Badger, a new one is not read, and
// the store holds what batches committed one at a time hold. One that
// begins on a store holding conversations has no filter.
func TestLoadPipelineFiltersOnlyConversationsItWrote(t *testing.T) {
	evs := accepted(t, interleavedStream(3, 2500, 40))
	for _, size := range []int{7, 100} {
		want, got := openMem(t), openMem(t)
		got.convs = nil
		for i := 0; i < len(evs); i += size {
			part := evs[i:min(i+size, len(evs))]
			if _, err := want.ApplyLoadBatch(part, testLoadRecord(uint64(i+len(part)))); err != nil {
				t.Fatal(err)
			}
		}
		half := len(evs) / 2 / size * size
		p, err := got.BeginLoad()
		if err != nil {
			t.Fatal(err)
		}
		if p.written == nil {
			t.Fatal("a pipeline on an empty store has no filter")
		}
		p.Close()
		sendAll(t, got, evs[:half], size)
		p, err = got.BeginLoad()
		if err != nil {
			t.Fatal(err)
		}
		if p.written != nil {
			t.Error("a pipeline on a store holding conversations has a filter")
		}
		p.Close()
		sendFrom(t, got, evs, half, size)
		if w, g := dumpKeys(t, want), dumpKeys(t, got); w != g {
			t.Errorf("batches of %d: the filtered pipeline's store differs from one batch at a time", size)
		}
		if diffs, err := got.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
			t.Errorf("batches of %d: check: %v %v", size, diffs, err)
		}
		want.Close()
		got.Close()
	}
}
