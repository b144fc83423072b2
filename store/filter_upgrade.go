package store

// Schema 7: the filter counters (c/, filter_counters.go), summed for a
// store an older csat wrote from its segment counters (e/), which every
// store at schema 5 or later holds; no conversation is read. An
// interrupted build leaves the store at schema 6, and the next writable
// open sums them again, dropping whatever c/ keys it finds that the e/
// keys do not imply (an older csat may have written in between).

import (
	"fmt"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// upgradeFilterCounters builds the c/ keys of a store older than schema 7
// and stamps it 7. The caller is a writable open, once a half-written
// batch is finished and the store is at schema 6.
func (s *Store) upgradeFilterCounters(version uint64) error {
	if version == 0 || version >= 7 {
		return nil
	}
	if err := s.buildFilterCounters(); err != nil {
		return fmt.Errorf("upgrading the store in %s to schema 7: %w", s.dir, err)
	}
	return s.writeSchemaVersion(7)
}

// buildFilterCounters replaces the store's c/ keys by the sums of its e/
// keys, a day at a time.
func (s *Store) buildFilterCounters() error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	agents := len(s.st.agents)
	stale := map[string]bool{}
	err := s.db.View(func(txn *badger.Txn) error {
		if err := eachKey(txn, prefix(pFilterDay), prefix(pFilterDay), func(k []byte) error {
			stale[string(k)] = true
			return nil
		}); err != nil {
			return err
		}
		put := func(k, v []byte) error {
			delete(stale, string(k))
			return wb.Set(k, v)
		}
		var segs [domain.NumSegments][]domain.Counts
		day, some := int32(0), false
		flush := func() error {
			if !some {
				return nil
			}
			err := sumFilterCounters(&segs, day, put)
			segs, some = [domain.NumSegments][]domain.Counts{}, false
			return err
		}
		err := iterate(txn, prefix(pSegDay), func(k, v []byte) error {
			if len(k) != 7 || k[6] >= domain.NumSegments {
				return fmt.Errorf("segment counters key %x: %w", k, errCorrupt)
			}
			if d := readDayKey(k); !some || d != day {
				if err := flush(); err != nil {
					return err
				}
				day, some = d, true
			}
			cs := make([]domain.Counts, agents)
			if err := decodeAgentCounts(v, cs); err != nil {
				return fmt.Errorf("counters of segment key %x: %w", k, err)
			}
			segs[k[6]] = cs
			return nil
		})
		if err != nil {
			return err
		}
		return flush()
	})
	if err != nil {
		return err
	}
	for k := range stale {
		if err := wb.Delete([]byte(k)); err != nil {
			return err
		}
	}
	return wb.Flush()
}
