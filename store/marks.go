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

	badger "github.com/dgraph-io/badger/v4"
)

// Marked reports whether a mark event from source carried key.
func (s *Store) Marked(source, key string) (_ bool, err error) {
	defer recoverDamage(&err)
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
