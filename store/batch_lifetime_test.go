package store

import (
	"bytes"
	"testing"
)

// heldEntry is a key and value a batch gave its transaction: the slices
// themselves, and copies of their bytes as given.
type heldEntry struct {
	k, v           []byte
	kAsSet, vAsSet []byte
}

// changedEntries counts the entries whose bytes differ from those given.
func changedEntries(es []heldEntry) (n int, first []byte) {
	for _, e := range es {
		if !bytes.Equal(e.k, e.kAsSet) || !bytes.Equal(e.v, e.vAsSet) {
			if n == 0 {
				first = e.kAsSet
			}
			n++
		}
	}
	return n, first
}

// Every key and value a load's batch gives Badger stays as given until
// the batch's commit has landed: Badger holds the slices (its map of
// pending writes is keyed by the keys' bytes) while the batch after is
// applied and staged, and while the one before publishes. Checked before
// each batch is sent and once it has settled, through a pipeline of
// uneven batches over a stream with late parts and workspace events.
func TestBatchKeysAndValuesStayAsSetUntilTheirCommitLands(t *testing.T) {
	evs := accepted(t, withLateParts(interleavedStream(21, 3000, 300), 21))
	evs = append(evs, accepted(t, randomEvents(22, 600))...)
	evs = accepted(t, evs)
	s := openMem(t)
	defer s.Close()
	var staging []heldEntry
	s.onEntry = func(k, v []byte) {
		staging = append(staging, heldEntry{k: k, v: v, kAsSet: bytes.Clone(k), vAsSet: bytes.Clone(v)})
	}
	p, err := s.BeginLoad()
	if err != nil {
		t.Fatal(err)
	}
	expect := func(when string, at int, es []heldEntry) {
		t.Helper()
		if n, k := changedEntries(es); n > 0 {
			t.Fatalf("batch at %d, %s: %d of its %d entries changed since they were set, the first %q", at, when, n, len(es), k)
		}
	}
	var flight []heldEntry
	flightAt, batches := 0, 0
	for i, n := 0, 0; i < len(evs); n++ {
		part := evs[i:min(i+[]int{170, 40, 1200, 90}[n%4], len(evs))]
		staging = nil
		if _, err := p.Apply(part, testLoadRecord(uint64(i+len(part)))); err != nil {
			t.Fatalf("batch at %d: %v", i, err)
		}
		staged := staging
		if err := p.Settle(); err != nil {
			t.Fatal(err)
		}
		expect("once settled", flightAt, flight)
		expect("before it is sent", i, staged)
		if err := p.Send(); err != nil {
			t.Fatal(err)
		}
		flight, flightAt = staged, i
		batches++
		i += len(part)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	expect("once settled", flightAt, flight)
	if batches < 10 {
		t.Fatalf("%d batches: the test tests little", batches)
	}
}
