package store

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// buildSegmentedStore is buildRatingsStore with conversations spread over
// the eight segments: every third by email, every fifth from a lead, every
// fourth outbound (a reply to an outbound message), so a filter has
// something to leave out (with teammate i%200, a lead's conversation is
// always one of 40 teammates'). Kept under $TMPDIR/csat-bench-seg-N.
func buildSegmentedStore(tb testing.TB, ratings int) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("csat-bench-seg-%d", ratings))
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
		if i%5 == 0 {
			cust = domain.Lead(fmt.Sprintf("l%d", i%20000))
		}
		start := domain.Event{Kind: domain.EvStart, At: at, Conv: id, Actor: cust}
		if i%3 == 0 {
			start.Channel = domain.ChannelEmail
		}
		if i%4 == 0 {
			start.Origin = domain.OriginMessage
		}
		value := 1 + (i*7+i/200)%5
		evs = append(evs, start,
			domain.Event{Kind: domain.EvSay, At: at, Conv: id, Actor: tm, Text: "Sorted, anything else?"},
			domain.Event{Kind: domain.EvAsk, At: at, Conv: id},
			domain.Event{Kind: domain.EvRate, At: at, Conv: id, Actor: cust, Value: value})
		at = at.Add(step)
		if len(evs) >= 8000 || i == ratings-1 {
			if _, err := s.ApplyBatch(evs); err != nil {
				tb.Fatal(err)
			}
			evs = evs[:0]
		}
	}
	if got := s.TeamAllTime().Rated(); got != ratings {
		tb.Fatalf("segmented store: %d ratings, want %d", got, ratings)
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	os.WriteFile(done, nil, 0o600)
	return dir
}

// BenchmarkLeaderboardFiltered reads a 90-day leaderboard of 200
// teammates from 1,000,000 ratings spread over the eight segments, open
// (the d/ keys) and filtered by one, two and three dimensions (the e/
// keys: four, two and one a day).
//
//	go test -run '^$' -bench LeaderboardFiltered -count 6 ./store
func BenchmarkLeaderboardFiltered(b *testing.B) {
	dir := buildSegmentedStore(b, 1_000_000)
	s, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchFiltered(b, s, 40)
}

// BenchmarkLeaderboardFilteredLoaded is BenchmarkLeaderboardFiltered on
// the store in $CSAT_BENCH_STORE (one `csat simulate load` made).
func BenchmarkLeaderboardFilteredLoaded(b *testing.B) { benchFiltered(b, benchStore(b), 0) }

// benchFiltered reads s's 90-day leaderboard open and filtered by one,
// two and three dimensions; each segment must hold minTeammates (a loaded
// store may have none in one: the generator writes no email to leads).
func benchFiltered(b *testing.B, s *Store, minTeammates int) {
	p, _ := ParsePeriod("90d", s.Latest())
	for _, c := range []struct{ name, channel, audience, origin string }{
		{"none", "", "", ""},
		{"channel", "email", "", ""},
		{"channel+audience", "email", "leads", ""},
		{"channel+audience+origin", "messenger", "users", "inbound"},
	} {
		f, err := domain.ParseFilter(c.channel, c.audience, c.origin)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("filter="+c.name, func(b *testing.B) {
			lb, err := s.LeaderboardOf(p, f)
			if err != nil || len(lb.Teammates) < minTeammates || minTeammates > 0 && lb.Team.Rated() == 0 {
				b.Fatalf("leaderboard: %d teammates, %d ratings, err %v", len(lb.Teammates), lb.Team.Rated(), err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := s.LeaderboardOf(p, f); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// reportCPU reports the process's CPU time per op since cpu (processCPU):
// on a shared machine, wall time counts the other processes' turns too.
// It includes the garbage collector's work on other threads.
func reportCPU(b *testing.B, cpu time.Duration) {
	if used := processCPU() - cpu; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
