package store

// Schema 6: the workspace-event index (w/) and the follow-ups-by-agent
// index (o/), built for a store an older csat wrote. Both come from keys
// alone, never from values: a log entry has a p/ key exactly when it
// belongs to a conversation, so w/ is the log's sequence numbers without a
// p/ key; o/ is f/ with the agent first. An interrupted build leaves the
// store at schema 5, and the next writable open builds both again from
// scratch (an older csat may have written in between).

import (
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// upgradeIndexes builds the w/ and o/ indexes of a store older than
// schema 6 and stamps it 6. The caller is a writable open, once a
// half-written batch is finished and the store is at schema 5.
func (s *Store) upgradeIndexes(version uint64) error {
	if version == 0 || version >= 6 {
		return nil
	}
	if err := s.buildIndexes(); err != nil {
		return fmt.Errorf("upgrading the store in %s to schema 6: %w", s.dir, err)
	}
	return s.writeSchemaVersion(6)
}

// buildIndexes replaces whatever w/ and o/ keys the store holds by those
// its log's p/ keys and its f/ keys imply.
func (s *Store) buildIndexes() error {
	if err := s.dropFamilies(pWorkspace, pAgentFollowUp); err != nil {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	err := s.db.View(func(txn *badger.Txn) error {
		if err := indexWorkspaceEvents(txn, wb); err != nil {
			return err
		}
		return eachKey(txn, prefix(pFollowUp), prefix(pFollowUp), func(k []byte) error {
			at, conv, agent, ok := parseSlotKey(k)
			if !ok {
				return fmt.Errorf("follow-up index key %q: %w", k, errCorrupt)
			}
			return wb.Set(agentFollowUpKey(agent, at, conv), emptyValue)
		})
	})
	if err != nil {
		return err
	}
	return wb.Flush()
}

// indexWorkspaceEvents writes the w/ key of every log entry without a p/
// key. It marks the sequence numbers the p/ keys name in a bitmap over
// the log (a bit an event: 2.5 MB for 20 million), then looks up each
// unmarked one, so it reads keys only, and the few log entries of no
// conversation.
func indexWorkspaceEvents(txn *badger.Txn, wb *badger.WriteBatch) error {
	last, err := lastSeq(txn)
	if err != nil || last == 0 {
		return err
	}
	inConv := make([]uint64, last/64+1)
	pre := prefix(pPart)
	err = eachKey(txn, pre, pre, func(k []byte) error {
		if len(k) < 2+1+8 || k[len(k)-9] != 0 {
			return fmt.Errorf("part key %q: %w", k, errCorrupt)
		}
		if seq := readSeq(k[len(k)-8:]); seq <= last {
			inConv[seq/64] |= 1 << (seq % 64)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for seq := uint64(1); seq <= last; seq++ {
		if inConv[seq/64]&(1<<(seq%64)) != 0 {
			continue
		}
		switch _, err := txn.Get(seqKey(pLog, seq)); {
		case errors.Is(err, badger.ErrKeyNotFound):
			continue
		case err != nil:
			return err
		}
		if err := wb.Set(workspaceEventKey(seq), emptyValue); err != nil {
			return err
		}
	}
	return nil
}

// lastSeq is the sequence number of the log's last entry, 0 when it is empty.
func lastSeq(txn *badger.Txn) (uint64, error) {
	pre := prefix(pLog)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre, Reverse: true})
	defer it.Close()
	it.Seek(append(append([]byte(nil), pre...), 0xff))
	if !it.ValidForPrefix(pre) {
		return 0, nil
	}
	k := it.Item().Key()
	if len(k) != 10 {
		return 0, fmt.Errorf("log key %q: %w", k, errCorrupt)
	}
	return readSeq(k[2:]), nil
}

// dropFamilies deletes every key under the given prefixes: an upgrade's
// first step, before it builds them again.
func (s *Store) dropFamilies(prefixes ...byte) error {
	clear := s.db.NewWriteBatch()
	defer clear.Cancel()
	err := s.db.View(func(txn *badger.Txn) error {
		for _, p := range prefixes {
			if err := eachKey(txn, prefix(p), prefix(p), func(k []byte) error { return clear.Delete(append([]byte(nil), k...)) }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return clear.Flush()
}
