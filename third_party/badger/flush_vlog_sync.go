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
// when this run rotated it (doneWriting, also without SyncWrites), before
// a newer file existed. A file of an earlier run was synced when that run
// rotated or closed it, or, after a kill, when this run's open cut it at
// its last whole entry (vlog.open's Truncate syncs, and a killed run's
// newest file is preallocated past its end; a replayed memtable is flushed
// only once the value log is open). Every entry of the memtable was
// written to the value log before it was put in the memtable. With
// SyncWrites each write was synced as it landed, and vlog.sync does
// nothing.
func (vlog *valueLog) syncBeforeFlush() error {
	if err := vlog.sync(); err != nil {
		return y.Wrap(err, "while syncing the value log before a memtable flush")
	}
	return nil
}
