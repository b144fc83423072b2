package store

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/csat-app/csat/domain"
)

// TestEachAgentCountsMatchesDecode reads random (agent id, counts)*
// records, with ids and counts past one varint byte, negative moves and
// inferred surveys, as decodeAgentCounts does; every truncation of one is
// an error, never a panic.
func TestEachAgentCountsMatchesDecode(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	pick := func() int {
		switch r.Intn(4) {
		case 0:
			return 0
		case 1:
			return r.Intn(63)
		case 2:
			return -r.Intn(70)
		}
		return r.Intn(1 << 20)
	}
	for round := 0; round < 300; round++ {
		cs := make([]domain.Counts, 1+r.Intn(400))
		for id := range cs {
			if r.Intn(3) == 0 {
				continue
			}
			for v := 1; v <= 5; v++ {
				cs[id].ByValue[v] = pick()
			}
			// A negative survey count would read as "the inferred count
			// follows" (enc.counts): a day never has one.
			cs[id].Surveys = max(pick(), 0)
			if r.Intn(3) == 0 {
				cs[id].Inferred = max(pick(), 0)
			}
		}
		v := encodeAgentCounts(cs)
		want := make([]domain.Counts, len(cs))
		if err := decodeAgentCounts(v, want); err != nil {
			t.Fatal(err)
		}
		got := make([]domain.Counts, len(cs))
		if err := eachAgentCounts(v, len(cs), func(id uint64) *domain.Counts { return &got[id] }); err != nil {
			t.Fatal(err)
		}
		for id := range want {
			if got[id] != want[id] || want[id] != cs[id] {
				t.Fatalf("round %d agent %d: read %+v, decoded %+v, wrote %+v", round, id, got[id], want[id], cs[id])
			}
		}
		if len(v) > 1 {
			cut := 1 + r.Intn(len(v)-1)
			err := eachAgentCounts(v[:cut], len(cs), func(id uint64) *domain.Counts { return &got[id] })
			if decodeAgentCounts(v[:cut], make([]domain.Counts, len(cs))) != nil && !errors.Is(err, errCorrupt) {
				t.Fatalf("round %d: a record cut at %d of %d read as %v", round, cut, len(v), err)
			}
		}
	}
	if err := eachAgentCounts(encodeAgentCounts(make([]domain.Counts, 3)), 2, nil); err != nil {
		t.Fatalf("an empty record: %v", err)
	}
	if err := eachAgentCounts(encodeAgentCounts([]domain.Counts{{}, {}, {Surveys: 1}}), 2, func(uint64) *domain.Counts { return nil }); !errors.Is(err, errCorrupt) {
		t.Fatalf("an agent id past the dictionary: %v", err)
	}
}
