package store

import (
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// badgerOptions are the Badger options of a store opened with opts: one
// place for the choices store/doc.go explains (table checks, caches, the
// bulk writer's compaction, the in-memory store's values).
func badgerOptions(opts Options, log badger.Logger) badger.Options {
	bo := badger.DefaultOptions(opts.Dir).
		WithLogger(log).
		WithInMemory(opts.InMemory).
		WithReadOnly(opts.ReadOnly).
		WithSyncWrites(opts.SyncWrites).
		WithMetricsEnabled(false).
		WithDetectConflicts(false). // writes are serialized by writeMu
		WithNumVersionsToKeep(1).
		// A laptop-sized footprint: 8 MiB memtables (a batch may then be
		// 1.2 MiB; bigger ones are split at whole events), small caches,
		// few compactors. Badger builds every new table in memory, and a
		// compaction runs up to ten builders at once: 4 MiB tables at
		// every level (multiplier 1, not 2× per level) keep that transient
		// memory bounded as the store grows, instead of doubling with each
		// level (measured in RELIABILITY.md, "Load on loopback").
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(12).
		WithBaseTableSize(4 << 20).
		WithBaseLevelSize(32 << 20).
		WithBlockCacheSize(16 << 20).
		WithIndexCacheSize(8 << 20).
		WithNumCompactors(2).
		// Badger maps a value log at twice this size, and every mapped
		// byte is reserved on disk (space.go): 8 MiB keeps that small.
		WithValueLogFileSize(8 << 20).
		WithValueThreshold(4 << 10).
		WithCompression(options.Snappy).
		// Tables are verified whole before Badger opens them (tables.go);
		// blocks read again later, and values in the value log, are
		// verified as they are read.
		WithChecksumVerificationMode(options.OnBlockRead).
		WithVerifyValueChecksum(true)
	bo.TableSizeMultiplier = 1 // no With… setter in v4
	if opts.ReadOnly {
		// A reader scans (export, check) or reads a page: blocks are
		// read once, and a cache would only hold memory (8 MiB of an
		// export's 30 MB of heap). Badger refuses none with compression.
		bo = bo.WithBlockCacheSize(1 << 20)
	}
	if opts.Interactive {
		// A page of a list reads each of its blocks once, and a person
		// pages back rarely: 16 MiB of cached blocks were a fifth of the
		// dashboard's resident set, and a miss costs microseconds.
		bo = bo.WithBlockCacheSize(4 << 20)
	}
	if opts.Bulk && !opts.ReadOnly {
		// Every level-0 table spans all the key space, so compacting level
		// 0 rewrites the base level's tables it reaches: the records and
		// index entries of the conversations under way, some 25-30 MB
		// however many level-0 tables come down with them. Thirty-two
		// tables a time instead of four (eight wrote 11% more and took 8%
		// more CPU than sixteen over a 280,000-conversation load; sixteen
		// rewrote that working set twice as often as thirty-two on the
		// 2.8M load, BENCHMARKS.md "Ingest as the store grows"); a read
		// back checks the bloom filter of each level-0 table, which costs
		// less. Memtables stay at 8 MiB: Badger reserves twice that
		// on disk for each (space.go), and a load on a small disk must not
		// fail sooner.
		// Level 0 is rewritten within minutes: its tables are uncompressed,
		// and a load's close compacts it away (third_party/badger/CSAT.md,
		// "Level-0 tables without compression"; levels 1 and below snappy).
		bo = bo.WithNumLevelZeroTables(32).WithNumLevelZeroTablesStall(64).
			WithLevel0Uncompressed(true).WithCompactL0OnClose(opts.CompactOnClose)
		// The writer's reads are its conversations, which its own cache
		// answers (conv_cache.go: its generations took the bytes given
		// up here), and the day counters of the days under way, a few
		// blocks.
		bo = bo.WithBlockCacheSize(4 << 20)
	}
	if opts.InMemory {
		// An in-memory store has no value log, so Badger refuses any value
		// above the threshold: a mark of a large import (17 KiB) failed
		// check's replay. Keep every value in the tree instead.
		bo = bo.WithValueThreshold(1 << 20)
	}
	if opts.memTableSize > 0 {
		bo = bo.WithMemTableSize(opts.memTableSize).WithValueThreshold(min(4<<10, opts.memTableSize/10))
	}
	return bo
}
