package store

import (
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
// open filter reads the d/ day keys, one of one or two dimensions its
// c/ keys, one of all three its segment's e/ keys: one key a day (see
// countersRange). Team rows sum their members' rows.
func (s *Store) LeaderboardOf(p Period, f domain.Filter) (_ Leaderboard, err error) {
	defer recoverDamage(&err)
	txn, st, done := s.countersSnapshot()
	defer done()
	from, to := dayRange(p, &st)
	lb := Leaderboard{Period: Period{From: dayStart(from), To: dayStart(to)}}
	if to <= from {
		lb.Period.To = lb.Period.From
		lb.Teams = teamRows(st.teams, 0)
		return lb, nil
	}
	acc := newDayAccumulator(from, to, len(st.agents))
	defer acc.release()
	pfx, start, end, keep := countersRange(f, from, to, !s.summary)
	if err = acc.read(txn, pfx, start, end, keep); err != nil {
		return lb, err
	}
	lb.Teams = teamRows(st.teams, acc.buckets)
	err = acc.rows(func(id int, daily []DayCounts, c domain.Counts) {
		if c.Surveys == 0 && c.Rated() == 0 {
			return
		}
		a := st.agents[id]
		row := AgentRow{Agent: a, Counts: c, Daily: daily}
		if a.IsTeammate() {
			lb.Team.Add(c)
			addToTeams(lb.Teams, &row)
			lb.Teammates = append(lb.Teammates, row)
		} else {
			lb.Bots = append(lb.Bots, row)
		}
	})
	if err != nil {
		return lb, err
	}
	s.displayRows(lb.Teammates)
	s.displayRows(lb.Bots)
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

// teamRows starts every team's row, ordered by display name, with
// buckets sparkline buckets each; add sums the members' rows into them.
func teamRows(teams map[string]*domain.Team, buckets int) []TeamRow {
	out := make([]TeamRow, 0, len(teams))
	for _, t := range domain.SortedTeams(teams) {
		tr := TeamRow{Team: t}
		if buckets > 0 {
			tr.Daily = make([]DayCounts, buckets)
		}
		out = append(out, tr)
	}
	return out
}

// addToTeams adds a teammate's row into the row of each of its teams (a
// teammate in two teams counts in both), as the row is made: its
// buckets were just written.
func addToTeams(teams []TeamRow, r *AgentRow) {
	for i := range teams {
		tr := &teams[i]
		if !tr.Team.Has(r.Agent.Name) {
			continue
		}
		tr.Counts.Add(r.Counts)
		for b, d := range r.Daily {
			tr.Daily[b].Add(d)
		}
	}
}

// dayAccumulator gathers a period's day counter records, then hands out
// each agent's sparkline buckets. A record is one day's agents in id
// order; rows walks all the records at once, agent by agent (a merge by
// id), so that each agent's buckets are written in order, once. Adding
// each record into agent-major rows as it was read took a cache miss per
// agent and day.
type dayAccumulator struct {
	from                  int32
	days, buckets, agents int
	buf                   *[]byte // the records' entries, back to back (recordsPool)
	recs                  []dayRecord
}

// dayRecord is one day's record in dayAccumulator.buf, as far as rows has
// read it: next is the id of the agent whose counts start at pos.
type dayRecord struct {
	day, bucket int32
	pos, end    int
	next        uint64
}

// recordsPool holds dayAccumulator buffers between reads (*[]byte).
var recordsPool = sync.Pool{New: func() any { return new([]byte) }}

func newDayAccumulator(from, to int32, agents int) *dayAccumulator {
	n := int(to - from)
	buf := recordsPool.Get().(*[]byte)
	*buf = (*buf)[:0]
	return &dayAccumulator{from: from, days: n, buckets: min(n, maxDaily), agents: agents, buf: buf}
}

// release hands the buffer back for the next read.
func (a *dayAccumulator) release() {
	recordsPool.Put(a.buf)
	a.buf = nil
}

// read gathers the keys of prefix p in [start, end) that keep accepts
// (countersRange).
func (a *dayAccumulator) read(txn *badger.Txn, p, start, end []byte, keep func(k []byte) bool) error {
	return eachCounter(txn, p, start, end, keep, func(k []byte, item *badger.Item) error {
		day := countersDay(k)
		r := dayRecord{day: day, bucket: int32(int(day-a.from) * a.buckets / a.days)}
		err := item.Value(func(v []byte) error {
			if d := readRecord(v); d.err != nil {
				return d.err
			}
			r.pos = len(*a.buf)
			*a.buf = append(*a.buf, v[1:]...)
			r.end = len(*a.buf)
			return nil
		})
		if err != nil {
			return fmt.Errorf("counters of %s: %w", dayStart(day).Format(time.DateOnly), err)
		}
		a.recs = append(a.recs, r)
		return nil
	})
}

// rows calls row with every agent that has an entry in the period's
// records: its id, its buckets (its own, from one allocation per 32
// agents) and their sum.
func (a *dayAccumulator) rows(row func(id int, daily []DayCounts, total domain.Counts)) error {
	buf := *a.buf
	for i := range a.recs {
		if err := a.nextAgent(&a.recs[i], 0); err != nil {
			return err
		}
	}
	var arena []DayCounts
	for id := 0; id < a.agents; id++ {
		var daily []DayCounts
		var total domain.Counts
		for i := range a.recs {
			r := &a.recs[i]
			if r.pos == r.end || r.next != uint64(id) {
				continue
			}
			if daily == nil {
				if len(arena) == 0 {
					arena = make([]DayCounts, min(32, a.agents-id)*a.buckets)
				}
				daily, arena = arena[:a.buckets:a.buckets], arena[a.buckets:]
			}
			var c domain.Counts
			if r.pos = addCounts(buf[:r.end], r.pos, &c); r.pos < 0 {
				return a.corrupt(r)
			}
			daily[r.bucket].addCounts(&c)
			total.Add(c)
			if err := a.nextAgent(r, uint64(id)+1); err != nil {
				return err
			}
		}
		if daily != nil {
			row(id, daily, total)
		}
	}
	return nil
}

// nextAgent reads the id of r's next entry, which must be at least least
// (ids ascend) and below the dictionary's size.
func (a *dayAccumulator) nextAgent(r *dayRecord, least uint64) error {
	if r.pos == r.end {
		return nil
	}
	id, pos := uvarintAt((*a.buf)[:r.end], r.pos)
	if pos < 0 || id < least || id >= uint64(a.agents) {
		return a.corrupt(r)
	}
	r.next, r.pos = id, pos
	return nil
}

func (a *dayAccumulator) corrupt(r *dayRecord) error {
	return fmt.Errorf("counters of %s: %w", dayStart(r.day).Format(time.DateOnly), errCorrupt)
}

// SeriesPoint is one step of an agent's series: the days [From, To) (the
// bucket, cut to the period at either end) and the counts in them.
type SeriesPoint struct {
	From, To time.Time
	Counts   domain.Counts
}

// Series is one agent's counts over a period, a point per bucket (day,
// week or month), empty buckets included, from the same day counters as
// the leaderboard (countersRange).
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
