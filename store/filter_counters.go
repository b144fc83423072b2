package store

// The filter counters (c/SEL DAY): a day's counters of the conversations
// a filter of one or two dimensions selects, the sum of that day's
// matching segment counters (e/). A filtered leaderboard then reads one
// key a day, and one filter's days are consecutive keys: by channel alone
// it read four e/ keys a day (half the day's e/ keys, each decoded).
// A filter of all three dimensions is one segment: its e/ key. The batch
// writes a day's c/ keys in the transaction that moves its e/ keys, from
// them, so the two never disagree; Check replays them like every key.

import (
	"bytes"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// filterDims are the three dimensions of a filter, as segment bits.
var filterDims = [...]domain.Segment{domain.SegEmail, domain.SegLeads, domain.SegOutbound}

// selector is the c/ key byte of a filter of one or two dimensions: the
// dimensions it sets (segment bits) times eight, plus the bits it asks of
// them. A segment seg is selected when seg&mask == value.
func selector(mask, value domain.Segment) byte { return byte(mask)<<3 | byte(value&mask) }

func selectorParts(sel byte) (mask, value domain.Segment) {
	return domain.Segment(sel >> 3), domain.Segment(sel & 7)
}

// allSelectors lists the c/ selectors in key order: every mask of one or
// two dimensions, every value of it.
var allSelectors = func() (out []byte) {
	for mask := domain.Segment(1); mask < domain.NumSegments-1; mask++ {
		for value := domain.Segment(0); value < domain.NumSegments; value++ {
			if value&^mask == 0 {
				out = append(out, selector(mask, value))
			}
		}
	}
	return out
}()

// filterSelector is f's c/ selector; ok is false when f sets no
// dimension (the d/ keys) or all three (one e/ key). It asks domain's
// Filter.Matches which dimensions f sets: flipping the bit of a set one
// in a segment f matches makes it fail.
func filterSelector(f domain.Filter) (sel byte, ok bool) {
	var seg domain.Segment
	for seg < domain.NumSegments && !f.Matches(seg) {
		seg++
	}
	if seg == domain.NumSegments {
		return 0, false
	}
	var mask domain.Segment
	for _, dim := range filterDims {
		if !f.Matches(seg ^ dim) {
			mask |= dim
		}
	}
	if mask == 0 || mask == domain.NumSegments-1 {
		return 0, false
	}
	return selector(mask, seg), true
}

// countersRange says where the day counters of f over days [from, to)
// are: the keys under prefix pfx from start up to end that keep accepts
// (nil: all). A filter of all three dimensions is one segment, whose e/
// key is one of the day's eight (stepping over the others costs less
// than seeking past them). Without c/ keys (withFilterKeys false: the
// counters summary leaves them out, see summaryBulk), a filter of one or
// two dimensions reads the e/ keys it matches.
func countersRange(f domain.Filter, from, to int32, withFilterKeys bool) (pfx, start, end []byte, keep func(k []byte) bool) {
	if f.IsZero() {
		return prefix(pDay), dayKey(from), dayKey(to), nil
	}
	if sel, ok := filterSelector(f); ok && withFilterKeys {
		start, end = filterDayKey(sel, from), filterDayKey(sel, to)
		return start[:3], start, end, nil
	}
	keep = func(k []byte) bool { return len(k) == 7 && f.Matches(domain.Segment(k[6])) }
	return prefix(pSegDay), segDayKey(from, 0), segDayKey(to, 0), keep
}

// eachCounter calls fn with every key of prefix p in [start, end) that
// keep accepts (countersRange), in order, and its item.
func eachCounter(txn *badger.Txn, p, start, end []byte, keep func(k []byte) bool, fn func(k []byte, item *badger.Item) error) error {
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
		if err := fn(k, item); err != nil {
			return err
		}
	}
	return nil
}

// countersDay is the day of a d/, e/ or c/ key.
func countersDay(k []byte) int32 {
	if k[0] == pFilterDay {
		return readDayKey(k[1:])
	}
	return readDayKey(k)
}

// writeFilterCounters puts the c/ keys of the days in segs (the batch's
// moved segments, sorted by day): every selector of a moved segment, as
// the sum of the day's segments it selects, the moved ones as the batch
// holds them and the others as stored.
func (b *batch) writeFilterCounters(w *txnWriter, segs []segDay) error {
	for i := 0; i < len(segs); {
		d := segs[i].day
		var day [domain.NumSegments][]domain.Counts
		var moved [domain.NumSegments]bool
		for ; i < len(segs) && segs[i].day == d; i++ {
			day[segs[i].seg], moved[segs[i].seg] = b.segDays[segs[i]], true
		}
		for seg := range day {
			if moved[seg] {
				continue
			}
			cs, err := b.unmovedSegDay(segDay{d, domain.Segment(seg)})
			if err != nil {
				return err
			}
			day[seg] = cs
		}
		if b.daySegs != nil {
			b.daySegs[d] = &day
		}
		for _, sel := range allSelectors {
			// The sum before this one was encoded, a copy, before this
			// one is made in its place.
			if sum, ok := selectorSum(sel, &day, &moved, b.sumBuf); ok {
				b.sumBuf = sum
				if err := w.set(filterDayKey(sel, d), encodeAgentCounts(sum)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// unmovedSegDay is the counters of k, a segment the batch did not move,
// for writeFilterCounters to sum, and only read: as the batch in flight
// left them, when it held them, or as stored. Outside a pipeline they
// are read into segBuf: the segment's counters of the day before are no
// longer read then, their sums having been encoded (copied) as they were
// made. In one (daySegs) the batch keeps them for the batch after.
func (b *batch) unmovedSegDay(k segDay) ([]domain.Counts, error) {
	if cs, ok := b.ahead.segDayCounts(k); ok {
		return cs, nil
	}
	if b.daySegs != nil {
		return b.storedSegDay(k, nil)
	}
	cs, err := b.storedSegDay(k, b.segBuf[k.seg])
	b.segBuf[k.seg] = cs
	return cs, err
}

// selectorSum is the sum of the segment counters sel selects in day,
// made in buf when it is big enough (the caller encodes a sum before the
// next); ok is false when none of them moved (its c/ key stands).
func selectorSum(sel byte, day *[domain.NumSegments][]domain.Counts, moved *[domain.NumSegments]bool, buf []domain.Counts) (sum []domain.Counts, ok bool) {
	mask, value := selectorParts(sel)
	n := 0
	for seg := range day {
		if domain.Segment(seg)&mask == value {
			ok = ok || moved[seg]
			n = max(n, len(day[seg]))
		}
	}
	if !ok {
		return nil, false
	}
	if cap(buf) >= n {
		sum = buf[:n]
		clear(sum)
	} else {
		sum = make([]domain.Counts, n)
	}
	for seg, cs := range day {
		if domain.Segment(seg)&mask == value {
			for id := range cs {
				sum[id].Add(cs[id])
			}
		}
	}
	return sum, true
}

// sumFilterCounters is the c/ keys that the e/ keys of one day imply
// (segs: the day's segment counters; nil for a segment without a key),
// for the schema-7 upgrade: each selector of a segment with a key.
func sumFilterCounters(segs *[domain.NumSegments][]domain.Counts, day int32, put func(k, v []byte) error) error {
	var present [domain.NumSegments]bool
	for seg, cs := range segs {
		present[seg] = cs != nil
	}
	for _, sel := range allSelectors {
		if sum, ok := selectorSum(sel, segs, &present, nil); ok {
			if err := put(filterDayKey(sel, day), encodeAgentCounts(sum)); err != nil {
				return err
			}
		}
	}
	return nil
}

// isFilterDayKey says whether k is a c/ key (prefix, selector, day).
func isFilterDayKey(k []byte) bool { return len(k) == 7 && bytes.HasPrefix(k, prefix(pFilterDay)) }

// selectorFilter is the filter whose selector sel is (filterSelector's
// inverse), to name a c/ key.
func selectorFilter(sel byte) domain.Filter {
	mask, value := selectorParts(sel)
	var f domain.Filter
	if mask&domain.SegEmail != 0 {
		c := domain.ChannelMessenger
		if value&domain.SegEmail != 0 {
			c = domain.ChannelEmail
		}
		f.Channel = &c
	}
	if mask&domain.SegLeads != 0 {
		a := domain.AudienceUsers
		if value&domain.SegLeads != 0 {
			a = domain.AudienceLeads
		}
		f.Audience = &a
	}
	if mask&domain.SegOutbound != 0 {
		d := domain.Inbound
		if value&domain.SegOutbound != 0 {
			d = domain.Outbound
		}
		f.Origin = &d
	}
	return f
}
