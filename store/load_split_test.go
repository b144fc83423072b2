package store

import (
	"testing"

	"github.com/csat-app/csat/domain"
)

// A load's batch too big for one transaction is committed in parts, and
// the conversations those parts write are ones the load has written: a
// later batch that no longer finds them in the writer's cache reads them
// from Badger, not as conversations never seen (the filter of
// conv_filter.go, which the parts' own batches do not fill: the batch
// that found them absent did).
func TestLoadPipelineKnowsConversationsOfASplitBatch(t *testing.T) {
	s := openMem(t) // 2 MiB memtables: a transaction holds about 300 KiB
	g := newRealisticStream(1, 20, t0)
	var evs []domain.Event
	for range 30000 {
		evs = append(evs, g.next())
	}
	parts := 0
	afterPart = func() error { parts++; return nil }
	defer func() { afterPart = nil }()
	p, err := s.BeginLoad()
	if err != nil {
		t.Fatal(err)
	}
	const first = 10000 // too big for one transaction: committed in parts
	for i := 0; i < len(evs); {
		size := 200
		if i == 0 {
			size = first
		}
		part := evs[i:min(i+size, len(evs))]
		if _, err := p.Apply(part, testLoadRecord(uint64(i+len(part)))); err != nil {
			t.Fatalf("batch at %d: %v", i, err)
		}
		if err := p.Settle(); err != nil {
			t.Fatal(err)
		}
		if err := p.Send(); err != nil {
			t.Fatal(err)
		}
		if err := p.Settle(); err != nil {
			t.Fatal(err)
		}
		s.convs.reset() // as if every record had fallen out of the cache
		i += len(part)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if parts < 2 {
		t.Fatalf("the first batch was committed in %d parts, want it split", parts)
	}
	if s.Seq() != uint64(len(evs)) {
		t.Fatalf("seq %d, want %d", s.Seq(), len(evs))
	}
}
