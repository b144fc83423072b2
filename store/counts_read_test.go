package store

import (
	"errors"
	"math/rand"
	randv2 "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
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

// TestLeaderboardOfDamagedCounters: a day's record cut short, with its
// agent ids out of order or past the dictionary, or of a newer format, is
// an error naming the day, on every filter's read path; never a panic or
// a quiet wrong board.
func TestLeaderboardOfDamagedCounters(t *testing.T) {
	good := encodeAgentCounts([]domain.Counts{{Surveys: 1}, {Surveys: 2, ByValue: [6]int{0, 0, 0, 0, 0, 2}}})
	// agent 0's entry is 7 bytes: its id, five values and the surveys
	descending := append(append([]byte{recordFormat}, good[1+7:]...), good[1:1+7]...)
	for name, v := range map[string][]byte{
		"cut short":        good[:len(good)-2],
		"ids descending":   descending,
		"newer format":     append([]byte{recordFormat + 1}, good[1:]...),
		"unknown agent id": append([]byte{recordFormat}, 0xff, 0x7f, 2, 2, 2, 2, 2, 2),
	} {
		for _, f := range []domain.Filter{{}, emailOnly()} {
			s := openMem(t)
			deliverShuffled(t, s, randomEvents(3, 200), randv2.New(randv2.NewPCG(3, 1)))
			lb, err := s.Leaderboard(Period{})
			if err != nil || lb.Team.Rated() == 0 {
				t.Fatalf("the stream rated nothing: %v", err)
			}
			day := dayOf(s.Latest())
			keys := [][]byte{dayKey(day)}
			if sel, ok := filterSelector(f); ok {
				keys = [][]byte{filterDayKey(sel, day)}
			}
			if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keys[0], v) }); err != nil {
				t.Fatal(err)
			}
			if _, err := s.LeaderboardOf(Period{}, f); err == nil || !strings.Contains(err.Error(), dayStart(day).Format(time.DateOnly)) {
				t.Errorf("%s, filter %q: %v, want an error naming the day", name, f, err)
			}
			s.Close()
		}
	}
}
