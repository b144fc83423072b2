package store

// The per-segment day counters (e/DAY SEG) from the rating slots, for
// stores written before they existed.

import (
	"errors"
	"fmt"
	"sort"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// keySegments says the e/ counters of a store older than schema 5 were
// built from its conversations; stamping schema 5 removes it.
var keySegments = []byte("!segments")

// recountSlots counts every conversation's rating slots into per-(day,
// segment) counters by agent id, as the batches would have: a survey on
// the day of the slot's first request, its rating (if any) on the day it
// was first given; a slot a helpdesk's rating made counts as an inferred
// survey. ids maps agents to their dictionary ids.
func recountSlots(txn *badger.Txn, ids func(domain.Actor) (uint32, bool), agents int) (map[segDay][]domain.Counts, error) {
	out := map[segDay][]domain.Counts{}
	at := func(d int32, seg domain.Segment, a domain.Actor) (*domain.Counts, error) {
		id, ok := ids(a)
		if !ok {
			return nil, fmt.Errorf("agent %s of a rating slot is not in the dictionary: %w", a, errCorrupt)
		}
		k := segDay{d, seg}
		cs := out[k]
		if cs == nil {
			cs = make([]domain.Counts, agents)
			out[k] = cs
		}
		return &cs[id], nil
	}
	err := iterate(txn, prefix(pConv), func(k, v []byte) error {
		rec, err := decodeConversation(v, string(k[2:]))
		if err != nil {
			return err
		}
		seg := domain.SegmentOf(&rec.Conversation)
		for _, sl := range rec.Slots {
			c, err := at(dayOf(sl.FirstRequestAt), seg, sl.Agent)
			if err != nil {
				return err
			}
			c.Surveys++
			if sl.Inferred {
				c.Inferred++ // as the day counters count it (domain.Counts.Inferred)
			}
			if sl.Value >= 1 && sl.Value <= 5 {
				c, err := at(dayOf(sl.FirstRatedAt), seg, sl.Agent)
				if err != nil {
					return err
				}
				c.ByValue[sl.Value]++
			}
		}
		return nil
	})
	return out, err
}

// buildSegments writes the segment counters of a store that has none yet,
// from its conversations. The caller is a writable open, before any write.
func (s *Store) buildSegments() error {
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(keySegments)
		return err
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	var counts map[segDay][]domain.Counts
	err = s.db.View(func(txn *badger.Txn) error {
		var err error
		counts, err = recountSlots(txn, func(a domain.Actor) (uint32, bool) { id, ok := s.st.ids[a]; return id, ok }, len(s.st.agents))
		return err
	})
	if err != nil {
		return fmt.Errorf("building the segment counters of %s: %w", s.dir, err)
	}
	keys := make([]segDay, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].day < keys[j].day || keys[i].day == keys[j].day && keys[i].seg < keys[j].seg
	})
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	// A batch finished at this open (finishPending) may have written some
	// segment keys already; the recount replaces them, and drops any it has
	// no counts for.
	var stale [][]byte
	err = s.db.View(func(txn *badger.Txn) error {
		return iterate(txn, prefix(pSegDay), func(k, _ []byte) error {
			if len(k) == 7 {
				if _, ok := counts[segDay{readDayKey(k), domain.Segment(k[6])}]; ok {
					return nil
				}
			}
			stale = append(stale, append([]byte(nil), k...))
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := wb.Delete(k); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if err := wb.Set(segDayKey(k.day, k.seg), encodeAgentCounts(counts[k])); err != nil {
			return err
		}
	}
	// The marker goes last, so a run killed before it builds them again.
	if err := wb.Set(keySegments, nil); err != nil {
		return err
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("building the segment counters of %s: %w", s.dir, err)
	}
	return nil
}
