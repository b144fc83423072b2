//go:build unix

package store

import (
	"bytes"
	"testing"
	"time"

	"github.com/dgraph-io/ristretto/v2/z"

	"github.com/csat-app/csat/domain"
)

// z.Calloc maps a large buffer outside the Go heap and hands a small one
// on from a free list (third_party/ristretto/CSAT.md); either way it is
// zeroed, and z.Free gives a mapping back whole.
func TestCallocMapsLargeBuffersAndFreeUnmapsThem(t *testing.T) {
	base := z.NumAllocBytes()
	large := z.Calloc(3<<20+5, "test")
	if got := z.NumAllocBytes() - base; got != 3<<20+5 {
		t.Fatalf("a 3 MiB Calloc counts %d bytes outside the heap", got)
	}
	if !allZero(large) {
		t.Fatal("a mapped buffer is not zeroed")
	}
	for i := range large {
		large[i] = 0xff
	}
	z.Free(large)
	if got := z.NumAllocBytes() - base; got != 0 {
		t.Fatalf("%d bytes outside the heap after Free", got)
	}
	for range 100 {
		small := z.Calloc(4200, "test")
		if len(small) != 4200 || !allZero(small[:cap(small)]) {
			t.Fatalf("a small Calloc gave %d bytes, not all zero", len(small))
		}
		for i := range small {
			small[i] = 0xff
		}
		z.Free(small)
	}
	z.Free(make([]byte, 4200, 4608)) // not Calloc's: left to the collector
}

// Badger builds every table in buffers from z.Calloc and decompresses
// every block it reads into one: nothing but z.Free gives a mapping back,
// so a store that wrote, compacted and closed must hold none, and what
// it wrote reads back unchanged from blocks decompressed into reused
// buffers while compactions ran.
func TestCallocBuffersGoBackAfterCompactions(t *testing.T) {
	base := z.NumAllocBytes()
	s := openDir(t, t.TempDir())
	g := newRealisticStream(5, 50, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	var want [][]byte
	for tables := 0; tables < 6; {
		evs := make([]domain.Event, 0, 500)
		for range 500 {
			ev := g.next()
			evs = append(evs, ev)
			want = append(want, encEvent(ev))
		}
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
		tables = len(s.db.Tables())
	}
	if err := s.db.Flatten(1); err != nil {
		t.Fatal(err)
	}
	read := 0
	err := s.Events(0, func(seq uint64, ev domain.Event) error {
		if read < len(want) && !bytes.Equal(encEvent(ev), want[read]) {
			t.Fatalf("event %d reads back as %+v", seq, ev)
		}
		read++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if read != len(want) {
		t.Fatalf("read %d events back, wrote %d", read, len(want))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := z.NumAllocBytes() - base; got != 0 {
		t.Fatalf("%d bytes of z.Calloc's mappings still outstanding after Close", got)
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// A buffer freed twice (a bug of its caller) must not put an unmapped
// address on a free list, where the next Calloc of a size near it would
// fault: a mapping is larger than the largest size class, and a buffer of
// exactly that size comes from its free list, not from the system.
func TestCallocSurvivesAMappingFreedTwice(t *testing.T) {
	base := z.NumAllocBytes()
	edge := z.Calloc(1<<16, "test")
	if got := z.NumAllocBytes() - base; got != 0 {
		t.Errorf("a 64 KiB Calloc mapped %d bytes; 64 KiB is the largest size class", got)
	}
	z.Free(edge)
	mapped := z.Calloc(1<<16+1, "test")
	if got := z.NumAllocBytes() - base; got != 1<<16+1 {
		t.Errorf("a Calloc of 64 KiB and a byte mapped %d bytes", got)
	}
	z.Free(mapped)
	z.Free(mapped)
	for range 4 {
		b := z.Calloc(65000, "test")
		if !allZero(b) {
			t.Fatal("a buffer from a free list is not zeroed")
		}
		b[0], b[len(b)-1] = 1, 1
		z.Free(b)
	}
	if got := z.NumAllocBytes() - base; got != 0 {
		t.Errorf("%d bytes stay mapped after everything was freed", got)
	}
}
