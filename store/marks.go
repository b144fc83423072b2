package store

// Marks are the bookkeeping events of external feeds (domain.MarkEvent):
// which delivery keys (Intercom notification ids, part ids, learned admin
// names) a batch carried. The log holds them; the k/ index, written in the
// same transaction as the mark, answers "was this key applied?" with one
// point read, so an ingester needs neither the whole set in memory nor a
// replay of the log at start. Check compares the index with a replay like
// every other derived key.

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// Marked reports whether a mark event from source carried key.
//
// On a schema-1 store (written before the index existed) the first call
// of a writable open builds the index and moves the store to schema 2. A
// read-only open cannot: there Marked and Marks read every mark from the
// log once, on first use, into memory, as the ingester used to.
func (s *Store) Marked(source, key string) (_ bool, err error) {
	defer recoverDamage(&err)
	if err := s.upgradeMarks(); err != nil {
		return false, err
	}
	if !s.marksIndexed.Load() {
		set, err := s.unindexed.load(s)
		if err != nil {
			return false, err
		}
		_, ok := set[string(markKey(source, key))]
		return ok, nil
	}
	var found bool
	err = s.view(func(txn *badger.Txn) error {
		_, err := txn.Get(markKey(source, key))
		switch {
		case err == nil:
			found = true
		case errors.Is(err, badger.ErrKeyNotFound):
			err = nil
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("reading mark %s of %s: %w", key, source, err)
	}
	return found, nil
}

// Marks calls fn, in key order, for every key a mark event from source
// carried that starts with keyPrefix. It reads only those index entries:
// meant for small families of keys (learned names), not for all of them.
func (s *Store) Marks(source, keyPrefix string, fn func(key string) error) (err error) {
	defer recoverDamage(&err)
	if err := s.upgradeMarks(); err != nil {
		return err
	}
	if !s.marksIndexed.Load() {
		set, err := s.unindexed.load(s)
		if err != nil {
			return err
		}
		want := string(markKey(source, keyPrefix))
		var keys []string
		for k := range set {
			if strings.HasPrefix(k, want) {
				keys = append(keys, k[len(want)-len(keyPrefix):])
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		return nil
	}
	return s.view(func(txn *badger.Txn) error {
		return iterate(txn, markKey(source, keyPrefix), func(k, _ []byte) error {
			_, key, ok := parseMarkKey(k)
			if !ok {
				return fmt.Errorf("mark index key %q: %w", k, errCorrupt)
			}
			return fn(key)
		})
	})
}

// upgradeMarks moves a writable schema-1 store to schema 2 by building the
// mark index. The version is written last, so an interrupted upgrade
// simply runs again next time.
func (s *Store) upgradeMarks() error {
	if s.readOnly || s.marksIndexed.Load() {
		return nil
	}
	s.upgradeMu.Lock()
	defer s.upgradeMu.Unlock()
	if s.marksIndexed.Load() {
		return nil
	}
	if err := s.indexMarks(); err != nil {
		return fmt.Errorf("upgrading the store in %s to schema %d: %w", s.dir, schemaVersion, err)
	}
	if err := s.writeSchema(); err != nil {
		return fmt.Errorf("upgrading the store in %s to schema %d: %w", s.dir, schemaVersion, err)
	}
	s.marksIndexed.Store(true)
	return nil
}

// markBatch is how many index keys the schema upgrade writes per
// transaction.
var markBatch = 10000

// indexMarks builds the k/ index from the log's mark events (the schema 1
// → 2 upgrade), in transactions of markBatch keys. Keys already there are
// written again, harmlessly, so an interrupted upgrade can start over.
func (s *Store) indexMarks() error {
	var keys [][]byte
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		err := s.db.Update(func(txn *badger.Txn) error {
			for _, k := range keys {
				if err := txn.Set(k, []byte{}); err != nil {
					return err
				}
			}
			return nil
		})
		keys = keys[:0]
		return err
	}
	err := s.eachMark(func(source, key string) error {
		keys = append(keys, markKey(source, key))
		if len(keys) >= markBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("indexing the marks of the log: %w", err)
	}
	return nil
}

// eachMark calls fn for every key of every mark event in the log. Marks
// are clock events, and a log entry starts with its kind, so the other
// entries (nearly all of them) are skipped undecoded: the upgrade of a
// 4.1M-event store read every entry whole and took 20 s.
func (s *Store) eachMark(fn func(source, key string) error) error {
	return s.logEntries(0, func(seq uint64, v []byte) error {
		if len(v) == 0 || domain.EventKind(v[0]) != domain.EvClock {
			return nil
		}
		ev, _, err := decodeLogEntry(v, seq)
		if err != nil {
			return err
		}
		source, keys, ok := ev.MarkKeys()
		if !ok {
			return nil
		}
		for _, k := range keys {
			if err := fn(source, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// unindexedMarks is the one-off in-memory set of a read-only schema-1
// store's marks (as k/ keys), read from the log on first use.
type unindexedMarks struct {
	once sync.Once
	set  map[string]struct{}
	err  error
}

func (u *unindexedMarks) load(s *Store) (map[string]struct{}, error) {
	u.once.Do(func() {
		u.set = map[string]struct{}{}
		u.err = s.eachMark(func(source, key string) error {
			u.set[string(markKey(source, key))] = struct{}{}
			return nil
		})
		if u.err != nil {
			u.err = fmt.Errorf("reading the marks of a schema-1 store from its log: %w", u.err)
		}
	})
	return u.set, u.err
}
