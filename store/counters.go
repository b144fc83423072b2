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

// count folds the part of an outcome that lands on the day of at into the counters,
// through domain.Observe, the one place that says how outcomes move counts.
func (b *batch) count(o *domain.Outcome, at time.Time) error {
	b.widen(at)
	d := dayOf(at)
	cs, err := b.dayCounts(d)
	if err != nil {
		return err
	}
	domain.Observe(o, func(a domain.Actor) *domain.Counts {
		id := b.agentID(a)
		for int(id) >= len(cs) {
			cs = append(cs, domain.Counts{})
		}
		b.days[d] = cs
		return &cs[id]
	})
	domain.Observe(o, func(a domain.Actor) *domain.Counts {
		id := b.agentID(a)
		return &b.st.totals[id]
	})
	return nil
}

// widen moves the start of "all" back to t: the first event, or an
// observed rating placed before it.
func (b *batch) widen(t time.Time) {
	if b.st.first.IsZero() || t.Before(b.st.first) {
		b.st.first = t
	}
}

// countOutcome folds an outcome into the counters. It may carry a survey
// and a rating (an observed rating); each counts on its own day, so each is
// folded separately.
func (b *batch) countOutcome(o *domain.Outcome) error {
	if o.Survey.NewSlot {
		survey := *o
		survey.Rating = domain.RatingChange{}
		if err := b.count(&survey, o.Survey.At); err != nil {
			return err
		}
	}
	if o.Rating.Changed() {
		rating := *o
		rating.Survey = domain.SurveyChange{}
		if err := b.count(&rating, o.Rating.FirstRatedAt); err != nil {
			return err
		}
	}
	return nil
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
