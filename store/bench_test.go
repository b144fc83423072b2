package store

import (
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

const ingestBatch = 1000

// BenchmarkIngest compares ApplyBatch of a realistic event mix with a bare
// Badger WriteBatch writing the same number of keys of the same sizes, on
// the same options, in the same run. One op is one batch of 1,000 events
// (or the keys such a batch wrote); both report events/s.
//
//	go test -run '^$' -bench Ingest -benchtime 200x -count 6 ./store
func BenchmarkIngest(b *testing.B) {
	// Record the key and value sizes each batch writes, on a throwaway store.
	const batches = 200
	g := newRealisticStream(11, 200, t0)
	evs := make([][]domain.Event, batches)
	for i := range evs {
		for j := 0; j < ingestBatch; j++ {
			evs[i] = append(evs[i], g.next())
		}
	}
	type size struct{ k, v int }
	sizes := make([][]size, batches)
	{
		s, err := Open(Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		cur := 0
		s.onEntry = func(k, v []byte) { sizes[cur] = append(sizes[cur], size{len(k), len(v)}) }
		for i := range evs {
			cur = i
			if _, err := s.ApplyBatch(evs[i]); err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	}
	keys := 0
	for _, s := range sizes {
		keys += len(s)
	}
	b.Logf("%.1f keys written per event", float64(keys)/float64(batches*ingestBatch))

	b.Run("store", func(b *testing.B) {
		if b.N > batches {
			b.Skipf("at most %dx", batches)
		}
		s, err := Open(Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := s.ApplyBatch(evs[i]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*ingestBatch)/time.Since(start).Seconds(), "events/s")
	})
	b.Run("bare-writebatch", func(b *testing.B) {
		if b.N > batches {
			b.Skipf("at most %dx", batches)
		}
		db, err := badger.Open(badgerOptions(Options{Dir: b.TempDir()}, silentLogger{}))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		// Random keys and values of the recorded sizes, made before the clock starts.
		data := make([][][2][]byte, b.N)
		for i := range data {
			for _, sz := range sizes[i] {
				k, v := make([]byte, sz.k), make([]byte, sz.v)
				rand.Read(k)
				rand.Read(v)
				data[i] = append(data[i], [2][]byte{k, v})
			}
		}
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			wb := db.NewWriteBatch()
			for _, kv := range data[i] {
				if err := wb.Set(kv[0], kv[1]); err != nil {
					b.Fatal(err)
				}
			}
			if err := wb.Flush(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*ingestBatch)/time.Since(start).Seconds(), "events/s")
	})
}

// BenchDir is where the big leaderboard stores are kept between runs
// (they take a while to build); scripts/bench-report.sh uses the same path.
// benchDir names the cached store by size and schema: a store cached by a
// build of another schema is not this build's to read.
func benchDir(ratings int) string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("csat-bench-s%d-%d", schemaVersion, ratings))
}

// buildRatingsStore fills dir with `ratings` rated conversations for 200
// teammates over 365 days, through the rules like any other events: start,
// a teammate message, a Workflow ask, a rating (and a few comments).
func buildRatingsStore(tb testing.TB, ratings int) string {
	dir := benchDir(ratings)
	done := filepath.Join(dir, "csat-bench-complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	s, err := Open(Options{Dir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	end := time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC)
	step := 365 * 24 * time.Hour / time.Duration(ratings)
	at := end.Add(-365 * 24 * time.Hour)
	var evs []domain.Event
	for i := 0; i < ratings; i++ {
		id := fmt.Sprintf("r%07d", i)
		tm := domain.Teammate(fmt.Sprintf("agent%03d", i%200))
		cust := domain.User(fmt.Sprintf("u%d", i%100000))
		value := 1 + (i*7+i/200)%5
		evs = append(evs,
			domain.Event{Kind: domain.EvStart, At: at, Conv: id, Actor: cust},
			domain.Event{Kind: domain.EvSay, At: at, Conv: id, Actor: tm, Text: "Sorted, anything else?"},
			domain.Event{Kind: domain.EvAsk, At: at, Conv: id},
			domain.Event{Kind: domain.EvRate, At: at, Conv: id, Actor: cust, Value: value})
		if i%10 == 0 {
			evs = append(evs, domain.Event{Kind: domain.EvComment, At: at, Conv: id, Actor: cust, Text: "thanks"})
		}
		at = at.Add(step)
		if len(evs) >= 8000 || i == ratings-1 {
			if _, err := s.ApplyBatch(evs); err != nil {
				tb.Fatal(err)
			}
			evs = evs[:0]
		}
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	os.WriteFile(done, nil, 0o600)
	return dir
}

// BenchmarkLeaderboard reads a 90-day leaderboard of 200 teammates from
// stores of 100,000 and 1,000,000 ratings (built once under $TMPDIR).
//
//	go test -run '^$' -bench Leaderboard -count 6 ./store
func BenchmarkLeaderboard(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("ratings=%d", n), func(b *testing.B) {
			dir := buildRatingsStore(b, n)
			s, err := Open(Options{Dir: dir, ReadOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			p, _ := ParsePeriod("90d", s.Latest())
			lb, err := s.Leaderboard(p)
			if err != nil || len(lb.Teammates) != 200 || len(lb.Teammates[0].Daily) != 90 {
				b.Fatalf("leaderboard: %d teammates, err %v", len(lb.Teammates), err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Leaderboard(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBytesPerConversation ingests realistic conversations, closes the
// store (flushing the memtable) and reports the data directory's size per
// conversation.
//
//	go test -run '^$' -bench BytesPerConversation -benchtime 1x ./store
func BenchmarkBytesPerConversation(b *testing.B) {
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		s, err := Open(Options{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		g := newRealisticStream(5, 200, t0)
		for j := 0; j < 200; j++ {
			var evs []domain.Event
			for k := 0; k < ingestBatch; k++ {
				evs = append(evs, g.next())
			}
			if _, err := s.ApplyBatch(evs); err != nil {
				b.Fatal(err)
			}
		}
		convs := g.n
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		var total int64 // allocated blocks, as du counts them: preallocated files are sparse
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if fi, err := d.Info(); err == nil {
				total += allocatedBytes(fi)
			}
			return nil
		})
		b.ReportMetric(float64(total)/float64(convs), "disk-B/conv")
		b.ReportMetric(float64(200*ingestBatch)/float64(convs), "events/conv")
	}
}
