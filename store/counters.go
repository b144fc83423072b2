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
	if cs, ok := b.ahead.dayCounts(d, len(b.st.agents)); ok {
		b.days[d] = cs
		return cs, nil
	}
	cs := make([]domain.Counts, len(b.st.agents))
	if err := getValue(b.read, dayKey(d), func(v []byte) error { return decodeAgentCounts(v, cs) }); err != nil {
		return nil, fmt.Errorf("counters of %s: %w", dayStart(d).Format(time.DateOnly), err)
	}
	b.days[d] = cs
	return cs, nil
}

// segDayCounts returns the counters of day d in segment seg, loaded once per batch.
func (b *batch) segDayCounts(d int32, seg domain.Segment) ([]domain.Counts, error) {
	k := segDay{d, seg}
	if cs, ok := b.segDays[k]; ok {
		return cs, nil
	}
	cs, err := b.storedSegDay(k, nil)
	if err != nil {
		return nil, err
	}
	b.segDays[k] = cs
	return cs, nil
}

// storedSegDay reads the counters k names as the batches before this one
// left them, into buf when it is big enough (nil: a new slice).
func (b *batch) storedSegDay(k segDay, buf []domain.Counts) ([]domain.Counts, error) {
	if src, ok := b.ahead.segDayCounts(k); ok {
		cs := countsIn(buf, max(len(b.st.agents), len(src)))
		copy(cs, src)
		return cs, nil
	}
	cs := countsIn(buf, len(b.st.agents))
	if err := getValue(b.read, segDayKey(k.day, k.seg), func(v []byte) error { return decodeAgentCounts(v, cs) }); err != nil {
		return nil, fmt.Errorf("counters of %s, segment %d: %w", dayStart(k.day).Format(time.DateOnly), k.seg, err)
	}
	return cs, nil
}

// countsIn is n zeroed counters, in buf when it is big enough.
func countsIn(buf []domain.Counts, n int) []domain.Counts {
	if cap(buf) < n {
		return make([]domain.Counts, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

// segDay names one day's counters of one segment.
type segDay struct {
	day int32
	seg domain.Segment
}

// count folds an outcome of a conversation of segment seg into the
// counters, each move on the day domain says it counts on
// (domain.Outcome.Counted).
func (b *batch) count(o *domain.Outcome, seg domain.Segment) error {
	var err error
	o.Counted(func(a domain.Actor, at time.Time, delta domain.Counts) {
		if err == nil {
			err = b.add(a, at, delta, seg)
		}
	})
	return err
}

// add adds delta to agent's counters of the day of at, in the day's key
// and its segment's (seg: the conversation's channel, audience and
// direction), and to its totals. It is the one place counters move:
// counting an outcome and recomputing a conversation's counts both call it.
func (b *batch) add(agent domain.Actor, at time.Time, delta domain.Counts, seg domain.Segment) error {
	b.widen(at)
	d := dayOf(at)
	cs, err := b.dayCounts(d)
	if err != nil {
		return err
	}
	ss, err := b.segDayCounts(d, seg)
	if err != nil {
		return err
	}
	id := b.agentID(agent)
	for int(id) >= len(cs) {
		cs = append(cs, domain.Counts{})
	}
	for int(id) >= len(ss) {
		ss = append(ss, domain.Counts{})
	}
	b.days[d], b.segDays[segDay{d, seg}] = cs, ss
	cs[id].Add(delta)
	ss[id].Add(delta)
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

// writeCounters puts the batch's day counters (d/, e/ and the c/ sums of
// the e/ keys), new agents and, when they moved, the all-time totals.
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
	segs := make([]segDay, 0, len(b.segDays))
	for k := range b.segDays {
		segs = append(segs, k)
	}
	sort.Slice(segs, func(i, j int) bool {
		return segs[i].day < segs[j].day || segs[i].day == segs[j].day && segs[i].seg < segs[j].seg
	})
	for _, k := range segs {
		if err := w.set(segDayKey(k.day, k.seg), encodeAgentCounts(b.segDays[k])); err != nil {
			return err
		}
	}
	if err := b.writeFilterCounters(w, segs); err != nil {
		return err
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
