package store

// Schema 8: a display name keeps the time it was shown at, so the newest
// wins whatever order names are delivered in (names.go). A store an older
// csat wrote holds the last delivered name of each identity, without a
// time; the upgrade folds its log's EvName events by the same rule as a
// write, through the w/ index (names are workspace events), and rewrites
// the directory. Run again after an interruption, it gives the same
// directory: it reads only the log.

import (
	"fmt"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// upgradeNameTimes stamps the display names of a store older than schema
// 8 and stamps it 8. The caller is a writable open, once the store is at
// schema 7.
func (s *Store) upgradeNameTimes(version uint64) error {
	if version == 0 || version >= 8 {
		return nil
	}
	if err := s.stampNames(); err != nil {
		return fmt.Errorf("upgrading the store in %s to schema 8: %w", s.dir, err)
	}
	return s.writeSchemaVersion(8)
}

// stampNames rewrites the directory from the log's EvName events.
func (s *Store) stampNames() error {
	newest := names{}
	err := s.db.View(func(txn *badger.Txn) error {
		seqs, err := workspaceSeqs(txn)
		if err != nil {
			return err
		}
		return logEntriesAt(txn, seqs, func(seq uint64, v []byte) error {
			ev, _, err := decodeLogEntry(v, seq)
			if err != nil || ev.Kind != domain.EvName {
				return err
			}
			if domain.NameSupersedes(newest[ev.Actor].At, ev.At) {
				newest[ev.Actor] = Name{Actor: ev.Actor, Display: ev.Text, Email: ev.By, At: ev.At}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for a, n := range newest {
		if err := wb.Set(nameKey(a), encodeName(n)); err != nil {
			return err
		}
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for a, n := range newest {
		s.names[a] = n
	}
	return nil
}
