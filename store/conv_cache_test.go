package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// interleavedStream is n events of realistic conversations, up to width
// of them in flight at once, each conversation's parts in their order:
// so a batch meets many conversations earlier batches wrote, as a load's
// does.
func interleavedStream(seed uint64, n, width int) []domain.Event {
	g := newRealisticStream(seed, 20, t0)
	var convs [][]domain.Event
	at := map[string]int{}
	for range n {
		ev := g.next()
		i, ok := at[ev.Conv]
		if !ok {
			i = len(convs)
			at[ev.Conv] = i
			convs = append(convs, nil)
		}
		convs[i] = append(convs[i], ev)
	}
	r := rand.New(rand.NewPCG(seed, 11))
	var out []domain.Event
	var window [][]domain.Event
	for next := 0; len(out) < n; {
		for len(window) < width && next < len(convs) {
			window = append(window, convs[next])
			next++
		}
		i := r.IntN(len(window))
		out = append(out, window[i][0])
		if window[i] = window[i][1:]; len(window[i]) == 0 {
			window = append(window[:i], window[i+1:]...)
		}
	}
	return out
}

// applyInBatches applies evs in batches of size; each batch's commit
// fails once first when failEvery divides its number (then it is applied
// again, as a writer retries).
func applyInBatches(t *testing.T, s *Store, evs []domain.Event, size, failEvery int) {
	t.Helper()
	refused := errors.New("commit refused")
	defer func() { commitFault = nil }()
	for n, i := 1, 0; i < len(evs); n, i = n+1, i+size {
		part := evs[i:min(i+size, len(evs))]
		if failEvery > 0 && n%failEvery == 0 {
			commitFault = func() error { return refused }
			if _, err := s.ApplyBatch(part); !errors.Is(err, refused) {
				t.Fatalf("batch %d: %v, want the refused commit", n, err)
			}
			commitFault = nil
		}
		if _, err := s.ApplyBatch(part); err != nil {
			t.Fatalf("batch %d: %v", n, err)
		}
	}
}

func openUncached(t *testing.T) *Store {
	t.Helper()
	s := openMem(t)
	s.convs = nil
	return s
}

// A store whose writer caches conversation records ends key for key as
// one that reads every record back from Badger, whether the cache holds
// all of them or only a few (records falling out, read back, cached
// again), and though every third commit fails: the batch after a failed
// commit works from the stored state, not from what the failed batch
// would have written.
func TestConvCacheKeepsTheStoredState(t *testing.T) {
	evs := interleavedStream(5, 6000, 80)
	plain := openUncached(t)
	applyInBatches(t, plain, evs, 40, 0)
	want := dumpKeys(t, plain)
	for _, limit := range []int{convCacheGeneration, 2 << 10} {
		t.Run(fmt.Sprintf("generation of %d bytes", limit), func(t *testing.T) {
			s := openMem(t)
			s.convs = newConvCache(limit)
			applyInBatches(t, s, evs, 40, 3)
			if got := dumpKeys(t, s); got != want {
				t.Fatalf("the cached store differs from the uncached one (%d vs %d bytes of keys)", len(got), len(want))
			}
			if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
				t.Fatalf("check: %v %v", diffs, err)
			}
		})
	}
}

// A batch too big for one transaction, stopped between its parts and
// finished by the next write, leaves the cache as the parts committed.
func TestConvCacheFollowsASplitBatch(t *testing.T) {
	evs := interleavedStream(9, 5000, 80)
	head, big, tail := evs[:1000], evs[1000:4000], evs[4000:]
	plain := openUncached(t)
	applyInBatches(t, plain, head, 50, 0)
	if _, err := plain.ApplyBatch(big); err != nil {
		t.Fatal(err)
	}
	applyInBatches(t, plain, tail, 50, 0)

	s := openMem(t)
	applyInBatches(t, s, head, 50, 0)
	parts := 0
	afterPart = func() error {
		if parts++; parts == 2 {
			return errors.New("stopped between parts")
		}
		return nil
	}
	defer func() { afterPart = nil }()
	if _, err := s.ApplyBatch(big); err == nil || parts != 2 {
		t.Fatalf("ApplyBatch: %v after %d parts, want a stop after the second", err, parts)
	}
	afterPart = nil
	applyInBatches(t, s, tail, 50, 0)
	if got, want := dumpKeys(t, s), dumpKeys(t, plain); got != want {
		t.Fatalf("the cached store differs from the uncached one (%d vs %d bytes of keys)", len(got), len(want))
	}
}

// The cache holds what it is given, up to two generations of its bound,
// and keeps a record in use when its generation goes.
func TestConvCacheIsBounded(t *testing.T) {
	c := newConvCache(4 << 10)
	val := make([]byte, 100)
	for i := range 1000 {
		val[0] = byte(i)
		c.put(fmt.Sprintf("c%d", i), val)
		if v, ok := c.get("c0"); !ok || v[0] != 0 {
			t.Fatalf("after %d puts the record in use fell out or changed", i)
		}
		if held := len(c.cur.buf) + len(c.old.buf); held > 2*c.limit {
			t.Fatalf("after %d puts the cache holds %d bytes, bound %d", i, held, 2*c.limit)
		}
	}
	if v, ok := c.get("c999"); !ok || v[0] != byte(999%256) {
		t.Fatal("the newest record is not held as put")
	}
	if _, ok := c.get("c10"); ok {
		t.Fatal("an old record is still held")
	}
	c.reset()
	if _, ok := c.get("c0"); ok {
		t.Fatal("reset kept a record")
	}
}

// A record put again while its generation is current takes its old place
// when it fits there, so rewriting the conversations in flight fills no
// generation; one that outgrows its place moves, and each lookup returns
// the record last put, of any size.
func TestConvCacheRewritesInPlace(t *testing.T) {
	c := newConvCache(4 << 10)
	c.put("a", make([]byte, 100))
	c.put("b", []byte("b"))
	held := len(c.cur.buf)
	for i := range 1000 {
		v := make([]byte, 100+i%(recordSlack(100)+1))
		v[0] = byte(i)
		c.put("a", v)
		if got, ok := c.get("a"); !ok || len(got) != len(v) || got[0] != byte(i) {
			t.Fatalf("put %d: got %d bytes (%v), want %d", i, len(got), ok, len(v))
		}
	}
	if len(c.cur.buf) != held || len(c.old.at) != 0 {
		t.Fatalf("rewrites within the slack grew the cache from %d to %d bytes", held, len(c.cur.buf))
	}
	c.put("a", []byte("short"))
	if got, _ := c.get("a"); string(got) != "short" || len(c.cur.buf) != held {
		t.Fatalf("a shorter record: %q, %d bytes held", got, len(c.cur.buf))
	}
	big := make([]byte, 300)
	big[299] = 7
	c.put("a", big)
	if got, ok := c.get("a"); !ok || len(got) != 300 || got[299] != 7 || len(c.cur.buf) <= held {
		t.Fatalf("a record outgrowing its place: %d bytes (%v), %d bytes held", len(got), ok, len(c.cur.buf))
	}
	if got, ok := c.get("b"); !ok || string(got) != "b" {
		t.Fatalf("b beside a's rewrites: %q %v", got, ok)
	}
}

// Two conversations under one hash: the later record takes the place, and
// the other conversation misses in both generations, never finding its
// own older record.
func TestConvCacheHashCollisionMisses(t *testing.T) {
	c := newConvCache(1 << 10)
	const h = 42
	c.put1(h, "a", []byte("a-1"))
	for i := 0; len(c.old.at) == 0; i++ { // a-1 into the previous generation
		c.put(fmt.Sprintf("fill%d", i), make([]byte, 100))
	}
	c.put1(h, "a", []byte("a-2"))
	if v, ok := c.getHashed(h, "a"); !ok || string(v) != "a-2" {
		t.Fatalf("a: %q %v, want a-2", v, ok)
	}
	c.put1(h, "b", []byte("b-1"))
	if v, ok := c.getHashed(h, "a"); ok {
		t.Fatalf("a found %q under b's hash", v)
	}
	if v, ok := c.getHashed(h, "b"); !ok || string(v) != "b-1" {
		t.Fatalf("b: %q %v", v, ok)
	}
}

// A rebuild replaces the database: the cache forgets what the old one held.
func TestConvCacheIsEmptiedByARebuild(t *testing.T) {
	s := openMemLarge(t)
	evs := withSecrets()
	applyInBatches(t, s, evs, 100, 0)
	if _, ok := s.convs.get("k1"); !ok {
		t.Fatal("k1 was not cached by its commit")
	}
	if _, err := s.Forget(simulate.ReplayInto, domain.Erasure{Conversation: "k1", By: "lead", At: t0.AddDate(1, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.convs.get("k1"); ok {
		t.Fatal("the cache still holds k1's record of the replaced database")
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// A read-only store has no cache: it never writes.
func TestReadOnlyStoreHasNoConvCache(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	applyInBatches(t, s, interleavedStream(2, 200, 10), 50, 0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.convs != nil {
		t.Fatal("a read-only store has a writer's cache")
	}
}
