package store

import (
	"fmt"
	"slices"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// unfoldParts rewrites s as schema 9 held its parts: each a p/ key, and
// records that end before any part list.
func unfoldParts(t *testing.T, s *Store) {
	t.Helper()
	type kv struct{ k, v []byte }
	var sets []kv
	err := s.db.View(func(txn *badger.Txn) error {
		return iterate(txn, prefix(pConv), func(k, v []byte) error {
			conv := string(k[2:])
			r, err := decodeConversation(v, conv)
			if err != nil || r.parts.keyed {
				return err
			}
			if err := eachPart(txn, conv, &r.parts, func(seq uint64) error {
				sets = append(sets, kv{partKey(conv, seq), nil})
				return nil
			}); err != nil {
				return err
			}
			r.parts = partList{keyed: true}
			sets = append(sets, kv{append([]byte(nil), k...), encodeConversation(&r)})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(txn *badger.Txn) error {
		for _, x := range sets {
			if err := txn.Set(x.k, x.v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dropPart rewrites conv's record without part seq.
func dropPart(txn *badger.Txn, conv string, seq uint64) error {
	r, found, err := getConversation(txn, conv)
	if err != nil || !found {
		return fmt.Errorf("conversation %s: %v", conv, err)
	}
	i := slices.Index(r.parts.inline, seq)
	if i < 0 {
		return fmt.Errorf("conversation %s: no part %d in %v", conv, seq, r.parts.inline)
	}
	r.parts.inline = slices.Delete(r.parts.inline, i, i+1)
	return txn.Set(convKey(conv), encodeConversation(&r))
}
