package store

import (
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// BenchmarkBatchOnAHostileConversation: a batch of one event on a
// conversation of 50,000 parts (a hostile one: a bot's chat that never
// ends), the cost that grows with its parts when each batch brings one.
// It reports the bytes a batch commits (keys and values) and the size of
// the conversation's record.
func BenchmarkBatchOnAHostileConversation(b *testing.B) {
	const parts = 50000
	s, err := Open(Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	say := func(i int) domain.Event {
		who := domain.User("u1")
		if i%2 == 0 {
			who = domain.Teammate("bo")
		}
		return domain.Event{Kind: domain.EvSay, At: at(i), Conv: "hostile", Actor: who, Text: "again"}
	}
	evs := []domain.Event{{Kind: domain.EvStart, At: at(0), Conv: "hostile", Actor: domain.User("u1")}}
	for i := 1; i < parts; i++ {
		if evs = append(evs, say(i)); len(evs) == 2000 {
			if _, err := s.ApplyBatch(evs); err != nil {
				b.Fatal(err)
			}
			evs = evs[:0]
		}
	}
	if _, err := s.ApplyBatch(evs); err != nil {
		b.Fatal(err)
	}
	committed := 0
	s.onEntry = func(k, v []byte) { committed += len(k) + len(v) }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.ApplyBatch([]domain.Event{say(parts + i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(committed)/float64(b.N), "committed-B/op")
	txn, _, done := s.snapshot()
	defer done()
	item, err := txn.Get(convKey("hostile"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(item.ValueSize()), "record-B")
}
