/*
 * SPDX-FileCopyrightText: © 2017-2025 Istari Digital, Inc.
 * SPDX-License-Identifier: Apache-2.0
 */

package badger

// csat: a compaction of level i >= 1 whose tables overlap no table of
// level i+1 moves them there as they are: the MANIFEST records each as
// deleted and created again at the new level, and no byte of the table
// is read or written (third_party/badger/CSAT.md, "Moving a table down a
// level as it is"). Upstream rewrites every table a compaction takes, to
// drop what it no longer needs; a table is moved only when a rewrite
// would drop nothing from it (movable).

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
)

// tableMoves remembers which tables this process's compactions wrote
// holding one version of each key only, and counts the moves.
type tableMoves struct {
	mu sync.Mutex
	// singleVersion holds the tables whose every version was at or below
	// the discard timestamp of the compaction that wrote them: that
	// compaction kept only the versions a later one keeps too. A table
	// written by a compaction while a transaction older than its entries
	// was open, or opened from disk, is not in it.
	singleVersion map[uint64]struct{}

	tables, bytes atomic.Uint64 // moved so far
	rewritten     atomic.Uint64 // tables of level 1 and below rewritten so far
}

// noteWritten records a table a compaction with discardTs wrote.
func (m *tableMoves) noteWritten(t *table.Table, discardTs uint64) {
	if t.MaxVersion() > discardTs {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.singleVersion == nil {
		m.singleVersion = map[uint64]struct{}{}
	}
	m.singleVersion[t.ID()] = struct{}{}
}

func (m *tableMoves) hasSingleVersions(t *table.Table) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.singleVersion[t.ID()]
	return ok
}

// forget drops the tables a compaction rewrote: their ids are never used again.
func (m *tableMoves) forget(tables []*table.Table) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range tables {
		delete(m.singleVersion, t.ID())
	}
}

// movable reports whether a compaction of cd may move t down as it is,
// given that t overlaps no table of cd's next level: a rewrite would
// drop nothing from it. A table holding stale data by its index (delete
// markers and expired entries kept for the levels below, versions under
// one that discards earlier ones) is rewritten, so that delete markers
// reach the last level in a rewrite, which drops them. Into the last
// level a table moves only if it holds one version of each key
// (tableMoves.singleVersion): a rewrite there drops every older version,
// and nothing compacts the last level for versions its index does not
// count as stale. Level 0's tables overlap each other and are never
// moved; nor are the tables of a compaction dropping prefixes.
func (s *levelsController) movable(cd *compactDef, t *table.Table) bool {
	switch {
	case cd.thisLevel.level == 0 || cd.nextLevel.level != cd.thisLevel.level+1:
		return false
	case len(cd.dropPrefixes) > 0 || t.StaleDataSize() > 0:
		return false
	case cd.nextLevel.isLastLevel():
		return s.moves.hasSingleVersions(t)
	}
	return true
}

// canMove reports whether cd is a compaction that moves its tables.
func (s *levelsController) canMove(cd *compactDef) bool {
	if len(cd.bot) > 0 || len(cd.skipped) > 0 || len(cd.top) == 0 {
		return false
	}
	for _, t := range cd.top {
		if !s.movable(cd, t) {
			return false
		}
	}
	return true
}

// preferMovable puts first, keeping their order otherwise, the tables of
// a level that overlap nothing in cd's next level and may move there:
// a move costs a MANIFEST entry and brings the level under its target
// as a rewrite of the same size would. Called with both levels locked.
func (s *levelsController) preferMovable(tables []*table.Table, cd *compactDef) {
	if cd.thisLevel.level == 0 || len(tables) < 2 {
		return
	}
	free := make(map[uint64]bool, len(tables))
	for _, t := range tables {
		left, right := cd.nextLevel.overlappingTables(levelHandlerRLocked{}, getKeyRange(t))
		free[t.ID()] = left == right && s.movable(cd, t)
	}
	sort.SliceStable(tables, func(i, j int) bool {
		return free[tables[i].ID()] && !free[tables[j].ID()]
	})
}

// moveTables moves cd's tables down to its next level as they are. The
// MANIFEST records the move first, as one change set (each table deleted,
// then created at the new level with its key and compression), so a
// replay finds each table at one level or the other, never both or none.
// The next level takes a reference to each table before this level drops
// its own, so the file is never deleted; the compaction's ranges stay
// reserved (compactStatus) until doCompact ends.
func (s *levelsController) moveTables(id int, cd compactDef) error {
	timeStart := time.Now()
	changes := make([]*pb.ManifestChange, 0, 2*len(cd.top))
	var size int64
	for _, t := range cd.top {
		changes = append(changes, newDeleteChange(t.ID()),
			newCreateChange(t.ID(), cd.nextLevel.level, t.KeyID(), t.CompressionType()))
		size += t.Size()
	}
	if err := s.kv.manifest.addChanges(changes, s.kv.opt); err != nil {
		return err
	}
	if err := cd.nextLevel.replaceTables(nil, cd.top); err != nil {
		return err
	}
	if err := cd.thisLevel.deleteTables(cd.top); err != nil {
		return err
	}
	s.moves.tables.Add(uint64(len(cd.top)))
	s.moves.bytes.Add(uint64(size))
	s.kv.opt.Debugf("[%d] LOG Move %d->%d %s (%d bytes) in %v", id, cd.thisLevel.level,
		cd.nextLevel.level, tablesToString(cd.top), size, time.Since(timeStart))
	return nil
}

// noteRewritten counts and forgets the tables a compaction of level 1 or
// below rewrote.
func (s *levelsController) noteRewritten(cd *compactDef) {
	if cd.thisLevel.level > 0 {
		s.moves.rewritten.Add(uint64(len(cd.top) + len(cd.bot)))
	}
	s.moves.forget(cd.top)
	s.moves.forget(cd.bot)
}

// logMoves says, at close, how many tables compactions moved and rewrote.
func (s *levelsController) logMoves() {
	s.kv.opt.Infof("Compactions moved %d tables (%d bytes) down a level as they were and rewrote %d tables of level 1 and below",
		s.moves.tables.Load(), s.moves.bytes.Load(), s.moves.rewritten.Load())
	s.kv.opt.Infof("Compactions took %d tables (%d bytes) of the level below and left out %d (%d bytes) that no key reached",
		s.skips.taken.Load(), s.skips.takenBytes.Load(), s.skips.skipped.Load(), s.skips.skippedBytes.Load())
}
