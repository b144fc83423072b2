package store

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// Leaderboard reads a period's report from the day counters: one key per
// day, whatever the number of ratings. A zero From starts at the first
// event; a zero To ends after the store clock's day.
func (s *Store) Leaderboard(p Period) (Leaderboard, error) {
	return s.LeaderboardOf(p, domain.Filter{})
}

// LeaderboardOf is the leaderboard of the conversations f matches. An
// open filter reads the d/ day keys; a narrower one reads the day's
// segment keys (e/DAY SEG) that match, at most eight a day. Team rows sum
// their members' rows.
func (s *Store) LeaderboardOf(p Period, f domain.Filter) (_ Leaderboard, err error) {
	defer recoverDamage(&err)
	txn, st, done := s.countersSnapshot()
	defer done()
	from, to := dayRange(p, &st)
	lb := Leaderboard{Period: Period{From: dayStart(from), To: dayStart(to)}}
	if to <= from {
		lb.Period.To = lb.Period.From
		lb.Teams = teamRows(st.teams, nil, 0)
		return lb, nil
	}
	acc := newDayAccumulator(from, to, len(st.agents))
	defer acc.release()
	if f.IsZero() {
		err = acc.read(txn, prefix(pDay), dayKey(from), dayKey(to), nil)
	} else {
		err = acc.read(txn, prefix(pSegDay), segDayKey(from, 0), segDayKey(to, 0), func(k []byte) bool {
			return len(k) == 7 && f.Matches(domain.Segment(k[6]))
		})
	}
	if err != nil {
		return lb, err
	}
	acc.rows(func(id int, daily []domain.Counts, c domain.Counts) {
		if c.Surveys == 0 && c.Rated() == 0 {
			return
		}
		a := st.agents[id]
		row := AgentRow{Agent: a, Counts: c, Daily: daily}
		if a.IsTeammate() {
			lb.Team.Add(c)
			lb.Teammates = append(lb.Teammates, row)
		} else {
			lb.Bots = append(lb.Bots, row)
		}
	})
	s.displayRows(lb.Teammates)
	s.displayRows(lb.Bots)
	lb.Teams = teamRows(st.teams, lb.Teammates, acc.buckets)
	return lb, nil
}

// dayRange resolves a period to day numbers [from, to): an open start is
// the first event's day, an open end the day of the newest event (today
// for an empty store), and a To inside a day includes that day.
func dayRange(p Period, st *memState) (from, to int32) {
	from, to = dayOf(p.From), dayOf(p.To)
	latest := st.latest
	if latest.IsZero() {
		latest = Now() // an empty store: today
	}
	if p.From.IsZero() {
		from = dayOf(st.first)
		if st.first.IsZero() {
			from = dayOf(latest)
		}
	}
	if p.To.IsZero() {
		to = dayOf(latest) + 1
	}
	if !p.To.IsZero() && !p.To.Equal(dayStart(to)) {
		to++ // a To inside a day includes that day
	}
	return from, to
}

// teamRows sums each team's members' rows; a teammate in two teams counts
// in both. Teams are ordered by display name.
func teamRows(teams map[string]*domain.Team, rows []AgentRow, buckets int) []TeamRow {
	out := make([]TeamRow, 0, len(teams))
	for _, t := range domain.SortedTeams(teams) {
		tr := TeamRow{Team: t}
		if buckets > 0 {
			tr.Daily = make([]domain.Counts, buckets)
		}
		for _, r := range rows {
			if !t.Has(r.Agent.Name) {
				continue
			}
			tr.Counts.Add(r.Counts)
			for i, d := range r.Daily {
				tr.Daily[i].Add(d)
			}
		}
		out = append(out, tr)
	}
	return out
}

// dayAccumulator adds day counter records into per-agent sparkline
// buckets. A record is one day's agents in id order, so while reading,
// the buckets are kept bucket-major (cells[bucket*agents+id]): one record
// fills consecutive cells, where agent-major rows would take a cache miss
// per agent. rows copies each agent's buckets out once at the end. The
// cells are scratch, reused across reads (cellsPool).
type dayAccumulator struct {
	from                  int32
	days, buckets, agents int
	cells                 *[]domain.Counts
	seen                  []bool
}

// cellsPool holds dayAccumulator cells between reads (*[]domain.Counts).
var cellsPool sync.Pool

func newDayAccumulator(from, to int32, agents int) *dayAccumulator {
	n := int(to - from)
	a := &dayAccumulator{from: from, days: n, buckets: min(n, maxDaily), agents: agents, seen: make([]bool, agents)}
	size := a.buckets * agents
	if c, ok := cellsPool.Get().(*[]domain.Counts); ok && cap(*c) >= size {
		*c = (*c)[:size]
		clear(*c)
		a.cells = c
	} else {
		c := make([]domain.Counts, size)
		a.cells = &c
	}
	return a
}

// release hands the cells back for the next read.
func (a *dayAccumulator) release() {
	cellsPool.Put(a.cells)
	a.cells = nil
}

// read adds every key of prefix p in [start, end) that keep accepts (nil: all).
func (a *dayAccumulator) read(txn *badger.Txn, p, start, end []byte, keep func(k []byte) bool) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
	defer it.Close()
	for it.Seek(start); it.ValidForPrefix(p); it.Next() {
		item := it.Item()
		k := item.Key()
		if bytes.Compare(k, end) >= 0 {
			break
		}
		if keep != nil && !keep(k) {
			continue
		}
		day := readDayKey(k)
		bucket := int(day-a.from) * a.buckets / a.days
		if err := item.Value(func(v []byte) error { return a.add(v, bucket) }); err != nil {
			return fmt.Errorf("counters of %s: %w", dayStart(day).Format(time.DateOnly), err)
		}
	}
	return nil
}

// add is the hot loop: it decodes a (agent id, counts)* record in place
// and adds it straight into the bucket's cells.
func (a *dayAccumulator) add(v []byte, bucket int) error {
	cells := (*a.cells)[bucket*a.agents : (bucket+1)*a.agents]
	return eachAgentCounts(v, a.agents, func(id uint64) *domain.Counts {
		a.seen[id] = true
		return &cells[id]
	})
}

// rows calls row with every agent that has a record in the period: its
// id, its buckets (its own copy, one allocation for all) and their sum.
func (a *dayAccumulator) rows(row func(id int, daily []domain.Counts, total domain.Counts)) {
	n := 0
	for _, ok := range a.seen {
		if ok {
			n++
		}
	}
	arena, cells := make([]domain.Counts, n*a.buckets), *a.cells
	for id, ok := range a.seen {
		if !ok {
			continue
		}
		daily := arena[:a.buckets:a.buckets]
		arena = arena[a.buckets:]
		var total domain.Counts
		for b := range daily {
			daily[b] = cells[b*a.agents+id]
			total.Add(daily[b])
		}
		row(id, daily, total)
	}
}

// SeriesPoint is one step of an agent's series: the days [From, To) (the
// bucket, cut to the period at either end) and the counts in them.
type SeriesPoint struct {
	From, To time.Time
	Counts   domain.Counts
}

// Series is one agent's counts over a period, a point per bucket (day,
// week or month), empty buckets included, from the same day counters as
// the leaderboard (the segment keys when f filters).
func (s *Store) Series(agent domain.Actor, p Period, f domain.Filter, by domain.Bucket) ([]SeriesPoint, error) {
	return s.GroupSeries([]domain.Actor{agent}, p, f, by)
}

// ForTeam narrows a leaderboard to one team (by id, or by display name
// when no id matches): its members' rows, the team's row as the
// workspace row, and that team alone in Teams. Bots are left out: they
// belong to no team.
func (lb Leaderboard) ForTeam(team string) (Leaderboard, bool) {
	var tr *TeamRow
	for i := range lb.Teams {
		if lb.Teams[i].Team.ID == team {
			tr = &lb.Teams[i]
			break
		}
	}
	for i := range lb.Teams {
		if tr == nil && lb.Teams[i].Team.Name == team {
			tr = &lb.Teams[i]
		}
	}
	if tr == nil {
		return lb, false
	}
	out := Leaderboard{Period: lb.Period, Team: tr.Counts, Teammates: []AgentRow{}, Bots: []AgentRow{}, Teams: []TeamRow{*tr}}
	for _, r := range lb.Teammates {
		if tr.Team.Has(r.Agent.Name) {
			out.Teammates = append(out.Teammates, r)
		}
	}
	return out, true
}
