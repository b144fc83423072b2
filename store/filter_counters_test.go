package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// Every filter of one or two dimensions has its own selector, which names
// it back and selects exactly the segments the filter matches; a filter
// of none or all three dimensions has none.
func TestFilterSelectors(t *testing.T) {
	seen := map[byte]bool{}
	for _, f := range everyFilter() {
		dims := 0
		for _, set := range []bool{f.Channel != nil, f.Audience != nil, f.Origin != nil} {
			if set {
				dims++
			}
		}
		sel, ok := filterSelector(f)
		if ok != (dims == 1 || dims == 2) {
			t.Fatalf("filter %q (%d dimensions): selector %v", f, dims, ok)
		}
		if !ok {
			continue
		}
		if seen[sel] {
			t.Fatalf("filter %q: selector %#x taken", f, sel)
		}
		seen[sel] = true
		if back := selectorFilter(sel); back.String() != f.String() {
			t.Fatalf("selector %#x of %q names %q", sel, f, back)
		}
		mask, value := selectorParts(sel)
		for seg := domain.Segment(0); seg < domain.NumSegments; seg++ {
			if (seg&mask == value) != f.Matches(seg) {
				t.Fatalf("filter %q, selector %#x, segment %v: selects %v, matches %v", f, sel, seg, seg&mask == value, f.Matches(seg))
			}
		}
	}
	if len(seen) != len(allSelectors) || len(allSelectors) != 18 {
		t.Fatalf("%d selectors of filters, %d listed, want 18", len(seen), len(allSelectors))
	}
}

// checkFilterKeys compares the stored c/ keys with the sums of the stored
// e/ keys (sumFilterCounters): the same keys, the same counts.
func checkFilterKeys(t *testing.T, s *Store, what string) {
	t.Helper()
	txn, st, done := s.snapshot()
	defer done()
	want := map[string][]domain.Counts{}
	var segs [domain.NumSegments][]domain.Counts
	flush := func(day int32) {
		if err := sumFilterCounters(&segs, day, func(k, v []byte) error {
			cs := make([]domain.Counts, len(st.agents))
			want[string(k)] = cs
			return decodeAgentCounts(v, cs)
		}); err != nil {
			t.Fatal(err)
		}
		segs = [domain.NumSegments][]domain.Counts{}
	}
	day, some := int32(0), false
	if err := iterate(txn, prefix(pSegDay), func(k, v []byte) error {
		if d := readDayKey(k); some && d != day {
			flush(day)
		}
		day, some = readDayKey(k), true
		segs[k[6]] = make([]domain.Counts, len(st.agents))
		return decodeAgentCounts(v, segs[k[6]])
	}); err != nil {
		t.Fatal(err)
	}
	if some {
		flush(day)
	}
	got := 0
	if err := iterate(txn, prefix(pFilterDay), func(k, v []byte) error {
		got++
		exp, ok := want[string(k)]
		if !ok {
			return fmt.Errorf("filter counters of %s on day %d: its segments have no key", selectorFilter(k[2]), countersDay(k))
		}
		cs := make([]domain.Counts, len(st.agents))
		if err := decodeAgentCounts(v, cs); err != nil {
			return err
		}
		if !reflect.DeepEqual(cs, exp) {
			return fmt.Errorf("filter counters of %s on day %d: %v, its segments sum to %v", selectorFilter(k[2]), countersDay(k), cs, exp)
		}
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got != len(want) {
		t.Fatalf("%s: %d filter counter keys, the segment keys imply %d", what, got, len(want))
	}
}

// TestFilterCountersEqualSegmentSums: after random streams delivered out
// of order (late parts move past days), batch by batch, every c/ key is
// the sum of its day's e/ keys, and there is one exactly where they imply.
func TestFilterCountersEqualSegmentSums(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		s := openMem(t)
		evs := randomEvents(seed, 150+int(seed)*7)
		deliverShuffled(t, s, evs, rand.New(rand.NewPCG(seed, 3)))
		checkFilterKeys(t, s, fmt.Sprintf("seed %d", seed))
		s.Close()
	}
}

// toSchema6 makes s what schema 6 wrote: no c/ keys. With leftovers it
// keeps half of them and adds one the e/ keys do not imply, as an
// interrupted upgrade followed by an older csat's writes leave.
func toSchema6(t *testing.T, s *Store, leftovers bool) {
	t.Helper()
	unfoldParts(t, s)
	err := s.db.Update(func(txn *badger.Txn) error {
		var keys [][]byte
		if err := eachKey(txn, prefix(pFilterDay), prefix(pFilterDay), func(k []byte) error { keys = append(keys, append([]byte(nil), k...)); return nil }); err != nil {
			return err
		}
		if len(keys) == 0 {
			return errors.New("no filter counters to remove")
		}
		if leftovers {
			keys = keys[len(keys)/2:]
			stale := encodeAgentCounts([]domain.Counts{{Surveys: 3}})
			if err := txn.Set(filterDayKey(allSelectors[0], 1), stale); err != nil {
				return err
			}
		}
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return txn.Set(keySchema, encodeSchema(6))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A schema-6 store is refused by a read-only open, without a byte
// changed, and a writable open sums exactly the c/ keys this build
// writes, then stamps this build's schema; also after a build that stopped.
func TestSchema6StoreGetsFilterCountersAtAWritableOpen(t *testing.T) {
	for _, leftovers := range []bool{false, true} {
		s := upgradedAtWritableOpen(t, 6, leftovers, toSchema6)
		checkFilterKeys(t, s, "upgraded")
		s.Close()
	}
}

// Check names a damaged filter counter by its day, filter and agent.
func TestCheckFindsADamagedFilterCounter(t *testing.T) {
	s := openMem(t)
	deliverShuffled(t, s, randomEvents(9, 300), rand.New(rand.NewPCG(9, 1)))
	var key []byte
	if err := s.db.View(func(txn *badger.Txn) error {
		return eachKey(txn, prefix(pFilterDay), prefix(pFilterDay), func(k []byte) error {
			if key == nil {
				key = append([]byte(nil), k...)
			}
			return nil
		})
	}); err != nil || key == nil {
		t.Fatalf("no filter counter: %v", err)
	}
	s.mu.RLock()
	cs := make([]domain.Counts, len(s.st.agents))
	s.mu.RUnlock()
	cs[0].Surveys = 1000
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(key, encodeAgentCounts(cs)) }); err != nil {
		t.Fatal(err)
	}
	diffs, err := s.Check(simulate.ReplayInto)
	if err != nil || len(diffs) == 0 {
		t.Fatalf("check of a damaged filter counter: %v %v", diffs, err)
	}
	want := fmt.Sprintf("counters of %s, %s", dayStart(countersDay(key)).Format("2006-01-02"), selectorFilter(key[2]))
	for _, d := range diffs {
		if len(d.Key) >= len(want) && d.Key[:len(want)] == want {
			return
		}
	}
	t.Fatalf("check's differences %+v name no %q", diffs, want)
}
