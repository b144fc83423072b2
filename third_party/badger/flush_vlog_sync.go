package badger

import "github.com/dgraph-io/badger/v4/y"

// syncBeforeFlush makes durable every value-log byte a memtable about to be
// flushed can point at, before its table is written and recorded in the
// MANIFEST (both synced). Upstream syncs the value log only with
// SyncWrites, at each write; without it a power loss after the flush left
// a table pointing at bytes that never reached the disk, and the next open
// cut the value log short of them (CSAT.md, "A flush syncs the value log
// first").
//
// Syncing the newest value log is enough: an older one was synced whole
// when it was rotated (doneWriting's Truncate syncs the mapping before it
// cuts the file), and that happens before a newer file exists. Every
// entry of the memtable was written to the value log before it was put in
// the memtable, so the sync covers them all. With SyncWrites each write
// was synced as it landed, and vlog.sync does nothing.
func (vlog *valueLog) syncBeforeFlush() error {
	if err := vlog.sync(); err != nil {
		return y.Wrap(err, "while syncing the value log before a memtable flush")
	}
	return nil
}
