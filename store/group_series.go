package store

// A series of several agents' counts summed, for a team's trend.

import (
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// GroupSeries is the sum of agents' counts over a period, a point per
// bucket (day, week or month), empty buckets included, from the same day
// counters as the leaderboard (countersRange): a team's
// trend is its members' series. Agents the store has never seen add nothing.
func (s *Store) GroupSeries(agents []domain.Actor, p Period, f domain.Filter, by domain.Bucket) (_ []SeriesPoint, err error) {
	defer recoverDamage(&err)
	txn, st, done := s.countersSnapshot()
	defer done()
	from, to := dayRange(p, &st)
	if to <= from {
		return []SeriesPoint{}, nil
	}
	var points []SeriesPoint
	for start := dayStart(from); start.Before(dayStart(to)); {
		next := by.Next(by.Start(start))
		if next.After(dayStart(to)) {
			next = dayStart(to)
		}
		points = append(points, SeriesPoint{From: start, To: next})
		start = next
	}
	in, some := make([]bool, len(st.agents)), false
	for _, a := range agents {
		if id, ok := st.ids[a]; ok && int(id) < len(in) {
			in[id], some = true, true
		}
	}
	if !some {
		return points, nil
	}
	pfx, start, end, keep := countersRange(f, from, to, !s.summary)
	i := 0
	err = eachCounter(txn, pfx, start, end, keep, func(k []byte, item *badger.Item) error {
		day := dayStart(countersDay(k))
		for i < len(points)-1 && !day.Before(points[i].To) {
			i++
		}
		err := item.Value(func(v []byte) error {
			return eachAgentCounts(v, len(in), func(id uint64) *domain.Counts {
				if in[id] {
					return &points[i].Counts
				}
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("counters of %s: %w", day.Format(time.DateOnly), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return points, nil
}
