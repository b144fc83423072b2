package store

// Schema 10: the parts in the record. Before, every part of a
// conversation was a p/ key of its own; the upgrade folds the first
// inlinePartsMax of each conversation's into its record (parts.go) and
// deletes those keys, keeping the rest as they are. It walks the records
// and the p/ keys side by side in key order (both sort by conversation
// id), in transactions of about upgradeChunk bytes, each also recording
// the last record it rewrote (!upgrade), so a killed upgrade resumes
// after it: memory is one transaction's keys, whatever the store. A
// record the upgrade has not reached yet says it holds no parts (it
// predates them), and every reader then reads its p/ keys, as for a
// schema-9 store opened read-only.

import (
	"bytes"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// upgradeParts folds the parts of a store older than schema 10 into its
// records and stamps it 10. The caller is a writable open, once the store
// is at schema 9.
func (s *Store) upgradeParts(version uint64) error {
	if version == 0 || version >= 10 {
		return nil
	}
	if err := s.foldParts(); err != nil {
		return fmt.Errorf("upgrading the store in %s to schema 10: %w", s.dir, err)
	}
	return s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete(keyUpgrade); err != nil {
			return err
		}
		return txn.Set(keySchema, encodeSchema(10))
	})
}

// foldFault, when set (tests), runs before each transaction of the
// upgrade; an error it returns stops the upgrade there, as a kill would.
var foldFault func() error

// foldEntries bounds the p/ deletes of one transaction: Badger counts a
// transaction's entries as well as its bytes.
const foldEntries = 4096

// partsFold is one transaction of the upgrade: the records rewritten
// and the p/ keys they now hold.
type partsFold struct {
	sets [][2][]byte
	dels [][]byte
	size int
	last []byte // the last record rewritten
}

// foldParts rewrites every record after !upgrade, a transaction at a time.
func (s *Store) foldParts() error {
	var after []byte
	if err := s.db.View(func(txn *badger.Txn) error {
		return getValue(txn, keyUpgrade, func(v []byte) error { after = bytes.Clone(v); return nil })
	}); err != nil {
		return err
	}
	for {
		f, err := s.foldSome(after)
		if err != nil {
			return err
		}
		if f.last == nil {
			return nil
		}
		if foldFault != nil {
			if err := foldFault(); err != nil {
				return err
			}
		}
		if err := s.db.Update(func(txn *badger.Txn) error {
			for _, kv := range f.sets {
				if err := txn.Set(kv[0], kv[1]); err != nil {
					return err
				}
			}
			for _, k := range f.dels {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return txn.Set(keyUpgrade, f.last)
		}); err != nil {
			return err
		}
		after = f.last
	}
}

// foldSome reads the records after key after (nil: from the first) and
// their p/ keys, about upgradeChunk bytes of them, and returns their
// rewrites; its last is nil once no record is left.
func (s *Store) foldSome(after []byte) (f partsFold, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		pre := prefix(pConv)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
		defer it.Close()
		keys := txn.NewIterator(badger.IteratorOptions{Prefix: prefix(pPart)})
		defer keys.Close()
		from := pre
		if after != nil {
			from = append(bytes.Clone(after), 0) // the next key after it
		}
		for it.Seek(from); it.ValidForPrefix(pre) && f.size < upgradeChunk && len(f.dels) < foldEntries; it.Next() {
			k := it.Item().KeyCopy(nil)
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := f.fold(keys, k, v); err != nil {
				return fmt.Errorf("%s: %w", keyName(k), err)
			}
		}
		return nil
	})
	return f, err
}

// fold adds the rewrite of record v of key k, reading its p/ keys
// through keys.
func (f *partsFold) fold(keys *badger.Iterator, k, v []byte) error {
	conv := string(k[2:])
	r, err := decodeConversation(v, conv)
	if err != nil {
		return err
	}
	f.last = k
	if !r.parts.keyed {
		return nil // folded already: a record is rewritten only with its keys' deletes
	}
	r.parts = partList{}
	err = keyedParts(keys, conv, keyStepGap, func(seq uint64) error {
		if !r.parts.add(seq) {
			k := partKey(conv, seq)
			f.dels = append(f.dels, k)
			f.size += len(k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	nv := encodeConversation(&r)
	f.sets = append(f.sets, [2][]byte{k, nv})
	f.size += len(k) + len(nv)
	return nil
}
