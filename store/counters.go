package store

// The per-(agent, day) counters and the all-time totals a batch maintains.

import (
	"fmt"
	"sort"
	"time"

	"github.com/csat-app/csat/domain"
)

// dayCounts returns the counters of day d, loaded once per batch.
func (b *batch) dayCounts(d int32) ([]domain.Counts, error) {
	if cs, ok := b.days[d]; ok {
		return cs, nil
	}
	cs := make([]domain.Counts, len(b.st.agents))
	if err := getValue(b.read, dayKey(d), func(v []byte) error { return decodeAgentCounts(v, cs) }); err != nil {
		return nil, fmt.Errorf("counters of %s: %w", dayStart(d).Format(time.DateOnly), err)
	}
	b.days[d] = cs
	return cs, nil
}

// count folds an outcome into the day counters and the all-time totals,
// each move on the day domain says it counts on (domain.Outcome.Counted).
func (b *batch) count(o *domain.Outcome) error {
	var err error
	o.Counted(func(a domain.Actor, at time.Time, delta domain.Counts) {
		if err == nil {
			err = b.add(a, at, delta)
		}
	})
	return err
}

// add adds delta to agent's counters of the day of at and to its totals.
func (b *batch) add(agent domain.Actor, at time.Time, delta domain.Counts) error {
	b.widen(at)
	d := dayOf(at)
	cs, err := b.dayCounts(d)
	if err != nil {
		return err
	}
	id := b.agentID(agent)
	for int(id) >= len(cs) {
		cs = append(cs, domain.Counts{})
	}
	b.days[d] = cs
	cs[id].Add(delta)
	b.st.totals[id].Add(delta)
	return nil
}

// widen moves the start of "all" back to t: the first event, or an
// observed rating placed before it.
func (b *batch) widen(t time.Time) {
	if b.st.first.IsZero() || t.Before(b.st.first) {
		b.st.first = t
	}
}

// writeCounters puts the batch's day counters, new agents and, when they
// moved, the all-time totals.
func (b *batch) writeCounters(w *txnWriter) error {
	days := make([]int32, 0, len(b.days))
	for d := range b.days {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	for _, d := range days {
		if err := w.set(dayKey(d), encodeAgentCounts(b.days[d])); err != nil {
			return err
		}
	}
	for a, id := range b.newIDs {
		if err := w.set(agentKey(id), encodeAgent(a)); err != nil {
			return err
		}
	}
	if len(b.newIDs) > 0 || b.change.Ratings {
		return w.set(keyTotal, encodeAgentCounts(b.st.totals))
	}
	return nil
}
