package store

// Every change a writable open makes to a store before its first write:
// the upgrade of a store an older csat wrote, and finishing a batch a
// previous run left half-written (journal.go).
//
// The upgrade goes a schema at a time, each stamped once it is complete,
// so an interrupted one resumes at the step it stopped in: records with
// a format byte (3), the ratings-by-agent index (4), the per-day segment
// counters (5, segments.go; after the state is loaded, since it counts by
// agent id), the workspace-event and follow-ups-by-agent indexes (6,
// index_upgrade.go).
//
// Schema 1 had no mark index; schema 2 had it; both wrote records without
// a format byte, and marks as clock events by their source whose text was
// "seen k1 k2 …". Schema 3 starts every record with its
// format byte and writes marks as mark events. The upgrade rewrites every
// record in key order, in transactions of about upgradeChunk bytes, each
// also recording the last key it rewrote (!upgrade), so an interrupted
// upgrade resumes where it stopped; schema 1's marks are indexed on the
// way. The schema version is written last. It reads the whole store once:
// seconds on a store of millions of events, paid once, at the first
// writing command. A read-only command refuses an older store instead of
// reading two formats (loadSchema).

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// keyUpgrade holds the last key an interrupted upgrade rewrote.
var keyUpgrade = []byte("!upgrade")

// legacyMarkPrefix starts the text of a mark in schema 1 and 2.
const legacyMarkPrefix = "seen "

// upgradeChunk is about how many bytes one upgrade transaction rewrites.
var upgradeChunk = 512 << 10

// migrate brings a store of schema version (0: new and empty) to this
// build's and finishes a half-written batch. The caller is a writable
// open, before the state is loaded.
func (s *Store) migrate(version uint64) error {
	switch {
	case version == 0:
		return s.writeSchema()
	case version < 3:
		if err := s.upgrade(version); err != nil {
			return fmt.Errorf("upgrading the store in %s from schema %d to %d: %w", s.dir, version, schemaVersion, err)
		}
		fallthrough
	case version < 4:
		// Schema 4: the ratings-by-agent index. Building it again after an
		// interruption rewrites the same keys.
		if err := s.indexRatingsByAgent(); err != nil {
			return fmt.Errorf("upgrading the store in %s to schema 4: %w", s.dir, err)
		}
		return s.writeSchemaVersion(4) // the segment counters follow (upgradeSegments)
	}
	return nil
}

// upgradeSegments builds the segment counters of a store older than
// schema 5 and stamps it 5. The caller is a writable open, once the state
// is loaded and a half-written batch finished.
func (s *Store) upgradeSegments(version uint64) error {
	if version == 0 || version >= 5 {
		return nil
	}
	if err := s.buildSegments(); err != nil {
		return err
	}
	// The marker has done its work once the schema says 5: both in one
	// transaction, so the store ends as schema 5 would have been written
	// (the schema-6 indexes follow: upgradeIndexes).
	return s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete(keySegments); err != nil {
			return err
		}
		return txn.Set(keySchema, encodeSchema(5))
	})
}

// ratingIndexBatch is how many b/ keys the schema-4 upgrade writes per
// transaction.
const ratingIndexBatch = 10000

// indexRatingsByAgent writes the b/ key of every rated slot of every
// conversation, in transactions of ratingIndexBatch keys.
func (s *Store) indexRatingsByAgent() error {
	var keys [][]byte
	flush := func() error {
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
	err := s.db.View(func(txn *badger.Txn) error {
		return iterate(txn, prefix(pConv), func(k, v []byte) error {
			r, err := decodeConversation(v, string(k[2:]))
			if err != nil {
				return err
			}
			for i := range r.Slots {
				if sl := &r.Slots[i]; sl.Value != 0 {
					keys = append(keys, ratingKey(sl.Agent, sl.FirstRatedAt, r.ID))
				}
			}
			if len(keys) >= ratingIndexBatch {
				return flush()
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	return flush()
}

// upgrade rewrites every record of a schema-1 or -2 store in this build's
// format, resuming after !upgrade, then writes the schema.
func (s *Store) upgrade(from uint64) error {
	var after []byte
	if err := s.db.View(func(txn *badger.Txn) error {
		return getValue(txn, keyUpgrade, func(v []byte) error { after = append([]byte(nil), v...); return nil })
	}); err != nil {
		return err
	}
	for {
		sets, last, err := s.upgradeSome(from, after)
		if err != nil {
			return err
		}
		if last == nil {
			break
		}
		err = s.db.Update(func(txn *badger.Txn) error {
			for _, kv := range sets {
				if err := txn.Set(kv[0], kv[1]); err != nil {
					return err
				}
			}
			return txn.Set(keyUpgrade, last)
		})
		if err != nil {
			return err
		}
		after = last
	}
	return s.db.Update(func(txn *badger.Txn) error {
		for _, k := range [][]byte{keyUpgrade, keyChange} {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return txn.Set(keySchema, encodeSchema(3)) // the b/ index follows (migrate)
	})
}

// upgradeSome reads the records after key after (nil: from the start)
// and returns their rewrites, about upgradeChunk bytes of them, and the
// last key read; last is nil once nothing is left.
func (s *Store) upgradeSome(from uint64, after []byte) (sets [][2][]byte, last []byte, err error) {
	size := 0
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Seek(after); it.Valid() && size < upgradeChunk; it.Next() {
			k := it.Item().KeyCopy(nil)
			if after != nil && bytes.Equal(k, after) {
				continue
			}
			last = k
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			rewrites, err := upgradeRecord(from, k, v)
			if err != nil {
				return fmt.Errorf("%s: %w", keyName(k), err)
			}
			for _, kv := range rewrites {
				size += len(kv[0]) + len(kv[1])
			}
			sets = append(sets, rewrites...)
		}
		return nil
	})
	return sets, last, err
}

// upgradeRecord returns what a key of an older schema becomes: its record
// with the format byte, and for a mark of schema 1 its index keys.
func upgradeRecord(from uint64, k, v []byte) ([][2][]byte, error) {
	switch {
	case k[0] == '!':
		if bytes.Equal(k, keyMeta) || bytes.Equal(k, keyTotal) {
			return [][2][]byte{{k, append([]byte{recordFormat}, v...)}}, nil
		}
		return nil, nil // !schema, !chg, !upgrade
	case len(k) < 2 || k[1] != '/':
		return nil, fmt.Errorf("not a csat key: %w", errCorrupt)
	}
	switch k[0] {
	case pLog:
		ev, entry, err := upgradeLogEntry(v)
		if err != nil {
			return nil, err
		}
		out := [][2][]byte{{k, entry}}
		if source, keys, ok := ev.MarkKeys(); ok && from < 2 {
			for _, key := range keys {
				out = append(out, [2][]byte{markKey(source, key), emptyValue})
			}
		}
		return out, nil
	case pConv:
		// Re-encoded, not only prefixed: fields appended to the record since
		// decode as absent, and a replay writes them.
		r, err := decodeConversation(append([]byte{recordFormat}, v...), string(k[2:]))
		if err != nil {
			return nil, err
		}
		return [][2][]byte{{k, encodeConversation(&r)}}, nil
	case pDay, pAgent, pRole, pAudit:
		return [][2][]byte{{k, append([]byte{recordFormat}, v...)}}, nil
	case pScenario:
		sc, err := legacyScenario(string(k[2:]), v)
		if err != nil {
			return nil, err
		}
		return [][2][]byte{{k, encodeScenario(sc)}}, nil
	}
	return nil, nil // index keys: no record
}

// upgradeLogEntry reads a log entry of schema 1 or 2 and writes it in this
// build's format, a mark as a mark event.
func upgradeLogEntry(v []byte) (domain.Event, []byte, error) {
	d := dec{b: v}
	ev := d.eventFields()
	o := d.outcome()
	if err := d.done("log entry"); err != nil {
		return ev, nil, err
	}
	if ev.Kind == domain.EvClock && ev.By != "" && strings.HasPrefix(ev.Text, legacyMarkPrefix) {
		ev.Kind, ev.Keys, ev.Text = domain.EvMark, strings.Fields(ev.Text[len(legacyMarkPrefix):]), ""
		o.Kind = domain.EvMark
	}
	return ev, encodeLogEntry(&ev, &o), nil
}

// legacyScenario reads a saved scenario of schema 2: saved-at (varint Unix
// nanoseconds), by (uvarint length, bytes), the script (the rest).
func legacyScenario(name string, v []byte) (Scenario, error) {
	d := dec{b: v}
	sc := Scenario{Name: name}
	if n := d.int(); n != 0 {
		sc.SavedAt = time.Unix(0, n).UTC()
	}
	sc.By = d.str()
	sc.Script = string(d.b)
	d.b = nil
	return sc, d.done("scenario " + name)
}

// ErrOlderSchema refuses a read-only open of a store an older csat wrote:
// a writing command upgrades it first.
var ErrOlderSchema = errors.New("written by an older csat")
