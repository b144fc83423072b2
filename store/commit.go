package store

import (
	"errors"
	"fmt"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// commitFault, when set (tests), runs before a batch's transaction
// commits; an error it returns fails the commit as Badger's would, with
// nothing written.
var commitFault func() error

// commit writes the batch in one transaction or, when Badger refuses it as
// too big, in journaled parts that a crash cannot leave half-done
// (journal.go).
func (b *batch) commit() error {
	if len(b.events) == 0 {
		return nil
	}
	err := b.write()
	if !errors.Is(err, errTooBig) || len(b.events) == 1 {
		return err
	}
	evs := b.events
	b.discard()
	return b.s.commitSplit(evs, b.loadRecord)
}

// write puts everything the batch changed into one transaction and, once
// it commits, publishes the batch's memory state.
func (b *batch) write() error {
	s := b.s
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	if err := b.stage(txn); err != nil {
		return err
	}

	// Readers take s.mu before opening their snapshot, so holding it across
	// the commit makes the memory state and Badger move together.
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := commitTxn(txn); err != nil {
		s.convs.reset() // whether Badger holds the batch is not known
		return fmt.Errorf("store: commit: %w", mapDiskFull(err, s.dir, "committing a batch"))
	}
	b.publish()
	return nil
}

// stage puts everything the batch changed into txn.
func (b *batch) stage(txn *badger.Txn) error {
	if err := b.s.checkFreeSpace(); err != nil {
		return err
	}
	w := &txnWriter{txn: txn, onEntry: b.s.onEntry}
	for _, put := range b.puts() {
		if err := put(w); err != nil {
			return err
		}
	}
	b.change.Seq = b.st.seq
	b.entries = w.n
	return nil
}

func commitTxn(txn *badger.Txn) error {
	if commitFault != nil {
		if err := commitFault(); err != nil {
			return err
		}
	}
	return txn.Commit()
}

// puts are everything a batch writes, family by family. Check's replay
// writes through them too (check_replay.go): a key written here is
// compared by csat check.
func (b *batch) puts() []func(*txnWriter) error {
	return []func(*txnWriter) error{b.writeLog, b.writeWorkspaceIndex, b.writeDecisions, b.writeConversations, b.writeCounters, b.writeSettings, b.writeMarks, b.writeNames, b.writeMeta, b.writeLoadRecord}
}

// writeMeta puts the meta record: last seq, span, settings, follow-up tally.
func (b *batch) writeMeta(w *txnWriter) error { return w.set(keyMeta, encodeMeta(&b.st)) }

// writeLog puts the batch's log entries and the p/ keys of the parts
// their records do not hold (parts.go). Their keys are cut from one
// buffer, and Badger holds them only until the commit.
func (b *batch) writeLog(w *txnWriter) error { return writeLogEntries(w, b.log) }

func writeLogEntries(w *txnWriter, log []logEntry) error {
	size := 0
	for _, l := range log {
		size += seqKeyLen
		if l.asKey {
			size += len(l.conv) + partKeyExtra
		}
	}
	keys := make([]byte, 0, size)
	cut := func(from int) []byte { return keys[from:len(keys):len(keys)] }
	for _, l := range log {
		from := len(keys)
		keys = appendSeqKey(keys, pLog, l.seq)
		if err := w.set(cut(from), l.val); err != nil {
			return err
		}
		if l.asKey {
			from = len(keys)
			keys = appendPartKey(keys, l.conv, l.seq)
			if err := w.set(cut(from), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeSettings puts the roles, the teams and the settings audit entries.
func (b *batch) writeSettings(w *txnWriter) error {
	for id := range b.teams {
		if err := w.set(teamKey(id), encodeTeam(b.st.teams[id])); err != nil {
			return err
		}
	}
	for name, r := range b.roles {
		if err := w.set(roleKey(name), encodeRole(r)); err != nil {
			return err
		}
	}
	for _, a := range b.audit {
		if err := w.set(seqKey(pAudit, a.seq), a.val); err != nil {
			return err
		}
	}
	return nil
}

// writeMarks puts the mark index keys of the batch's mark events.
func (b *batch) writeMarks(w *txnWriter) error {
	for _, k := range b.marks {
		if err := w.set(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// publish makes the committed batch the store's memory state and tells the
// live feeds. The caller holds s.mu.
func (b *batch) publish() {
	s := b.s
	for a, id := range b.newIDs {
		if s.st.ids == nil {
			s.st.ids = map[domain.Actor]uint32{}
		}
		s.st.ids[a] = id
	}
	ids := s.st.ids
	s.st = b.st
	s.st.ids = ids
	for name, r := range b.roles {
		s.st.roles[name] = r
	}
	s.publishNames(b)
	for _, c := range b.wrote {
		s.convs.put(c.id, c.val)
	}
	s.announce(b.change)
}
