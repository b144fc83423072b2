package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// downgrade rewrites the records after key from (nil: all) as schema 1 or
// 2 wrote them: no format byte, marks as clock events by their source with
// the keys in the text, and for schema 1 no mark index.
func downgrade(t *testing.T, s *Store, schema uint64, from []byte) {
	t.Helper()
	unfoldParts(t, s)
	type kv struct{ k, v []byte }
	var sets []kv
	var dels [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Seek(from); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			if bytes.Equal(k, from) || bytes.Equal(k, keySchema) {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			switch {
			case bytes.Equal(k, keyMeta), bytes.Equal(k, keyTotal), k[0] == pConv, k[0] == pDay, k[0] == pAgent, k[0] == pRole, k[0] == pAudit:
				sets = append(sets, kv{k, v[1:]})
			case k[0] == pLog:
				ev, o, err := decodeLogEntry(v, 0)
				if err != nil {
					return err
				}
				if source, keys, ok := ev.MarkKeys(); ok {
					ev = domain.Event{Kind: domain.EvClock, At: ev.At, By: source, Text: legacyMarkPrefix + strings.Join(keys, " ")}
					o.Kind = domain.EvClock
				}
				e := enc{}
				e.event(&ev)
				e.b = e.b[:len(e.b)-1] // no keys: schema 2's events end before them
				e.outcome(&o)
				sets = append(sets, kv{k, e.b})
			case k[0] == pMark && schema < 2:
				dels = append(dels, k)
			}
		}
		return nil
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
		for _, k := range dels {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		if from != nil {
			if err := txn.Set(keyUpgrade, from); err != nil {
				return err
			}
		}
		return txn.Set(keySchema, encodeSchema(schema))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A store of schema 1 or 2 is refused by a read-only open, without a byte
// changed, and upgraded by a writable open to exactly what this build
// writes: every record with its format byte, marks as mark events, schema
// 1's marks indexed; also when a previous upgrade stopped midway.
func TestOlderStoresAreUpgradedAtAWritableOpen(t *testing.T) {
	defer func(n int) { upgradeChunk = n }(upgradeChunk)
	upgradeChunk = 2 << 10 // several transactions
	for _, c := range []struct {
		name    string
		schema  uint64
		resumed bool
	}{{"schema 2", 2, false}, {"schema 1", 1, false}, {"schema 2, resumed", 2, true}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openDir(t, dir)
			for n := 1; n <= 40; n++ {
				if _, err := s.ApplyBatch(markedBatch(n)); err != nil {
					t.Fatal(err)
				}
			}
			want := dumpKeys(t, s)
			var from []byte
			if c.resumed {
				from = seqKey(pLog, 50) // the upgrade rewrote the keys up to here
			}
			downgrade(t, s, c.schema, from)
			if got := dumpKeys(t, s); got == want {
				t.Fatal("the downgrade changed nothing")
			}
			s.Close()
			before := dirSums(t, dir)
			if _, err := Open(Options{Dir: dir, ReadOnly: true, memTableSize: 2 << 20}); !errors.Is(err, ErrOlderSchema) || !errors.Is(err, ErrDataDir) {
				t.Fatalf("read-only open of schema %d: %v, want ErrOlderSchema", c.schema, err)
			}
			if after := dirSums(t, dir); len(after) != len(before) {
				t.Fatal("the refused read-only open changed the files")
			}
			s = openDir(t, dir)
			defer s.Close()
			if got := dumpKeys(t, s); got != want {
				t.Fatalf("after the upgrade the store differs from one this build wrote:\n%s\nwant\n%s", firstDiff(got, want), "")
			}
			mustMarked(t, s, "intercom", "notif/n40", true)
			if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
				t.Fatalf("check after the upgrade: %v %v", diffs, err)
			}
		})
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "got  " + la[i] + "\nwant " + lb[i]
		}
	}
	return "lengths differ"
}
