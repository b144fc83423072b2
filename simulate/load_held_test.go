package simulate

import (
	"runtime"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// What the generator says it holds for its conversations in flight is
// what its heap holds, within a quarter, at the reference load's density
// (8,500 conversations a day) and at ten times it (the 10M-rating load's):
// a memory budget leans on it to keep the store's share apart.
func TestHeldBytesFollowTheHeap(t *testing.T) {
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		cfg    LoadConfig
		events int
	}{
		{"reference density", LoadConfig{Teammates: 200, Conversations: 25500, Days: 3, Seed: 7, End: end}, 120_000},
		{"10M density", LoadConfig{Teammates: 200, Conversations: 93000, Days: 1, Seed: 7, End: end}, 240_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := liveHeap()
			g := newLoadGen(tc.cfg, domain.DefaultSettings(), false)
			for i := 1; i <= tc.events; i++ {
				if _, ok, err := g.next(); err != nil || !ok {
					t.Fatalf("event %d: ok %v, %v", i, ok, err)
				}
				if i%(tc.events/2) != 0 {
					continue
				}
				measured := int64(liveHeap()) - int64(before)
				said := g.heldBytes()
				if len(g.heap) < 5000 {
					t.Fatalf("event %d: %d conversations in flight, too few to measure", i, len(g.heap))
				}
				t.Logf("event %d: %d in flight, said %d, held %d", i, len(g.heap), said, measured)
				if d := said - measured; d*4 > measured || -d*4 > measured {
					t.Errorf("event %d: %d conversations in flight, said %d bytes, the heap holds %d (%d a conversation)",
						i, len(g.heap), said, measured, measured/int64(len(g.heap)))
				}
			}
			runtime.KeepAlive(g)
		})
	}
}

// liveHeap is the bytes of live heap objects, after a collection.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Load tells Holding what the generator holds after each batch, and
// that it holds nothing once it returns.
func TestLoadTellsWhatItHolds(t *testing.T) {
	var told []int64
	cfg := LoadConfig{Teammates: 20, Conversations: 3000, Days: 3, Seed: 7, BatchSize: 500,
		End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Holding: func(b int64) { told = append(told, b) }}
	sum, err := Load(t.Context(), OneByOne(NewMemory()), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	batches := (sum.Events + cfg.BatchSize - 1) / cfg.BatchSize
	if len(told) != batches+1 || told[len(told)-1] != 0 {
		t.Fatalf("%d batches, told %d times, last %v: want once a batch and 0 at the end", batches, len(told), told[len(told)-1:])
	}
	most := int64(0)
	for _, b := range told {
		most = max(most, b)
	}
	if most < 100*bytesPerConvInFlight {
		t.Errorf("told at most %d bytes: want the conversations in flight of a busy day (hundreds)", most)
	}
}
