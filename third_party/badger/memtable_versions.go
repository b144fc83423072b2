package badger

import (
	"github.com/dgraph-io/badger/v4/y"
)

// flushVersions drops, from a memtable's flush, the versions of a key that
// a compaction would drop: those under the newest NumVersionsToKeep
// versions at or below the discard timestamp, that no transaction can
// read any more (csat, CSAT.md "A flush keeps the versions a reader can
// see"). Upstream writes every version of the memtable into level 0 and
// leaves them to the next compaction, which reads and drops them. The
// newest version kept is kept whatever it is, a delete marker too: the
// levels below may hold older versions of its key, which it must hide.
type flushVersions struct {
	discardTs uint64
	keep      int
	lastKey   []byte
	skipKey   []byte
	versions  int
	stats     map[uint32]int64 // value-log bytes dropped, by file
}

func newFlushVersions(db *DB) *flushVersions {
	return &flushVersions{discardTs: db.lc.compactionDiscardTs(), keep: db.opt.NumVersionsToKeep}
}

// drop says whether the entry key, vs (in the memtable's order: by key,
// newest version first) is left out of the table.
func (f *flushVersions) drop(key []byte, vs y.ValueStruct) bool {
	if f == nil {
		return false
	}
	if len(f.skipKey) > 0 {
		if y.SameKey(key, f.skipKey) {
			f.note(vs)
			return true
		}
		f.skipKey = f.skipKey[:0]
	}
	if !y.SameKey(key, f.lastKey) {
		f.lastKey = y.SafeCopy(f.lastKey, key)
		f.versions = 0
	}
	// The same rule as a compaction's (levelsController.subcompact),
	// for a level with levels below it: merge entries are never
	// counted, and a deleted or expired version or one that discards
	// earlier ones ends the versions kept.
	if y.ParseTs(key) <= f.discardTs && vs.Meta&bitMergeEntry == 0 {
		f.versions++
		if vs.Meta&bitDiscardEarlierVersions > 0 || f.versions == f.keep ||
			isDeletedOrExpired(vs.Meta, vs.ExpiresAt) {
			f.skipKey = y.SafeCopy(f.skipKey, key)
		}
	}
	return false
}

// note counts the value-log bytes a dropped entry pointed to, for the
// value log's collection, as a compaction does.
func (f *flushVersions) note(vs y.ValueStruct) {
	if vs.Meta&bitValuePointer == 0 {
		return
	}
	var vp valuePointer
	vp.Decode(vs.Value)
	if f.stats == nil {
		f.stats = make(map[uint32]int64)
	}
	f.stats[vp.Fid] += int64(vp.Len)
}

// compactionDiscardTs is the timestamp at or below which a compaction or a
// flush may discard versions (subcompact): no transaction reads below it.
func (s *levelsController) compactionDiscardTs() uint64 {
	discardTs := s.kv.orc.discardAtOrBelow()
	// While a vlog GC rewrite is in flight, do not discard any version newer than
	// the rewrite's start (gcDiscardTs is the DB's max committed version captured
	// then). The rewrite may write a scanned value back, and a tombstone deleting
	// that key — necessarily committed after the rewrite started, so with a version
	// greater than gcDiscardTs — must survive to shadow the write-back; otherwise
	// the deleted key reappears (#2286). The clamp is released when the rewrite
	// finishes. Lowering discardTs only ever keeps more versions, so it is always
	// safe; it costs deferred reclamation during a rewrite, nothing more.
	if s.kv.gcActive.Load() {
		if gcMax := s.kv.gcDiscardTs.Load(); gcMax > 0 && gcMax < discardTs {
			discardTs = gcMax
		}
	}
	return discardTs
}
