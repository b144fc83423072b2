package store

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// BenchmarkLoadVsWriteBatch runs the load generator's realistic traffic
// (`csat simulate load --teammates 200 --days 330 --seed 7`, the number of
// conversations from $CSAT_BENCH_LOAD_CONVERSATIONS, 20,000 by default)
// through the store, then writes exactly the keys and values that load
// committed, in the same order and the same commits, with a bare Badger
// WriteBatch on the same options (a bulk writer's, as the command's). Both
// report events/s over the whole load; the generator's and the rules' time
// count on the store's side only.
//
//	CSAT_BENCH_LOAD_CONVERSATIONS=100000 go test -run '^$' -bench LoadVsWriteBatch -benchtime 1x ./store
func BenchmarkLoadVsWriteBatch(b *testing.B) {
	convs := 20000
	if v, err := strconv.Atoi(os.Getenv("CSAT_BENCH_LOAD_CONVERSATIONS")); err == nil && v > 0 {
		convs = v
	}
	cfg := simulate.LoadConfig{Teammates: 200, Conversations: convs, Days: 330, Seed: 7,
		End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	load := func(b *testing.B, observe func(k, v []byte)) int {
		s, err := Open(Options{Dir: b.TempDir(), Bulk: true})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		s.onEntry = observe
		sum, err := simulate.Load(context.Background(), s, cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		return sum.Events
	}
	// What the load writes, commit by commit; recorded on a run of its own
	// so that copying it costs neither side.
	var commits [][][2][]byte
	var cur [][2][]byte
	events := load(b, func(k, v []byte) {
		if string(k) == string(keyMeta) { // the last key of every commit
			commits = append(commits, append(cur, [2][]byte{k, v}))
			cur = nil
			return
		}
		kv := [2][]byte{append([]byte(nil), k...), nil} // a nil value: a delete
		if v != nil {
			kv[1] = append([]byte{}, v...)
		}
		cur = append(cur, kv)
	})
	b.Run("store", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			start := time.Now()
			load(b, nil)
			b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
		}
	})
	b.Run("bare-writebatch", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			db, err := badger.Open(badgerOptions(Options{Dir: b.TempDir(), Bulk: true}, silentLogger{}))
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			for _, c := range commits {
				wb := db.NewWriteBatch()
				for _, kv := range c {
					err := wb.Set(kv[0], kv[1])
					if kv[1] == nil {
						err = wb.Delete(kv[0])
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				if err := wb.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
			db.Close()
		}
	})
}
