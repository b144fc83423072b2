package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// Errors Open returns, for callers that map them to exit statuses. Each is
// wrapped with a message naming the directory.
var (
	ErrLocked      = errors.New("in use by another csat process")
	ErrNewerSchema = errors.New("written by a newer csat")
	ErrDataDir     = errors.New("unusable data directory")
	ErrNoStore     = errors.New("no csat store")
)

// Options says where and how to open the store.
type Options struct {
	Dir      string // the data directory; ignored when InMemory
	InMemory bool   // for tests and --dry-run
	ReadOnly bool   // for read-only commands: skips the costly close
	// SyncWrites makes every commit durable before it returns (fsync).
	SyncWrites bool
	// OnUpgrade, when set, is called as a writable open starts to upgrade
	// a store an older csat wrote, which takes a while on a large store;
	// the function it returns is called once the upgrade has ended.
	OnUpgrade func(from, to uint64) (ended func())
	// CountersOnly, with ReadOnly, says the caller reads only what the
	// counters summary keeps (summary.go): settings, names, the roster,
	// all-time counts, leaderboards and series. The store may then open
	// the summary instead of Badger; any other read of such a store panics.
	CountersOnly bool
	// Bulk is for a writer that commits big batches back to back (a load,
	// an import, a sync): more level-0 tables per compaction (see
	// badgerOptions).
	Bulk bool
	// CompactOnClose, with Bulk, compacts level 0 into the base level as
	// the store closes (a load): a bulk writer's level-0 tables are
	// uncompressed, and a load leaves up to thirty-two (see badgerOptions).
	CompactOnClose bool
	// Interactive is for a person browsing the store a page at a time
	// (the dashboard): a smaller block cache (see badgerOptions).
	Interactive bool

	memTableSize int64 // tests shrink it to open fast and to split batches
}

// DefaultDir resolves the data directory: the flag, else $CSAT_DATA_DIR,
// else $XDG_DATA_HOME/csat, else ~/.local/share/csat.
func DefaultDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if d := os.Getenv("CSAT_DATA_DIR"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "csat"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("%w: no --data-dir, $CSAT_DATA_DIR, $XDG_DATA_HOME or home directory to put the store in", ErrDataDir)
	}
	return filepath.Join(home, ".local", "share", "csat"), nil
}

// memState is what the store keeps in memory beside Badger: everything the
// rules read except conversations, and the running aggregates.
type memState struct {
	seq      uint64
	latest   time.Time // time of the latest event: conversations share no clock, this is only the newest
	first    time.Time // time of the earliest event; zero while the log is empty
	settings domain.Settings
	history  domain.SettingsHistory // every settings change, with the time it takes effect
	queue    domain.QueueTally
	roles    map[string]domain.Role
	teams    map[string]*domain.Team // copied on write (domain.Workspace.Apply)
	agents   []domain.Actor          // by agent id
	ids      map[domain.Actor]uint32
	totals   []domain.Counts // all-time, by agent id
}

// Store is the Badger-backed workspace.
type Store struct {
	db       *badger.DB
	dir      string
	readOnly bool
	schema   uint64     // as opened: older than schemaVersion only when read-only
	shadow   *shadowDir // what a read-only open after a crash reads (shadow.go)
	// summary says db holds the counters summary, not the store (summary.go).
	summary  bool
	resident *residentWatch // drops table pages past a bound (resident_linux.go)

	onUpgrade func(from, to uint64) (ended func()) // Options.OnUpgrade

	writeMu sync.Mutex // one writer (batch) at a time
	// convs is the writer's cache of committed conversation records
	// (conv_cache.go); nil on a read-only open. Under writeMu.
	convs *convCache
	// interrupted says a batch committed in parts stopped before its last
	// part; the next write finishes it first (journal.go). Under writeMu.
	interrupted bool
	mu          sync.RWMutex // guards st and names; held while a commit lands so readers see whole commits
	st          memState
	names       names // display names (names.go)

	ctx    context.Context // ends at Close: stops GC; Subscribe refuses after it
	cancel context.CancelFunc
	wg     sync.WaitGroup
	subMu  sync.Mutex                  // guards subs; announce sends under it
	subs   map[chan Change]func() bool // live feeds, each with the stop of its context watch
	log    *fileLogger

	// users counts the snapshots open on db (see enter); gate is held
	// shared while one opens. Forget takes gate to replace db: new
	// snapshots wait, open ones finish first.
	users atomic.Pointer[sync.WaitGroup]
	gate  sync.RWMutex

	// onEntry, when set (tests and benchmarks), sees every key and value a
	// commit writes, and every key it deletes (with a nil value).
	onEntry func(k, v []byte)
}

// Open opens (creating if needed) the store.
func Open(opts Options) (*Store, error) {
	s := &Store{readOnly: opts.ReadOnly, onUpgrade: opts.OnUpgrade}
	if !opts.InMemory {
		dir, err := prepareDir(opts)
		if err != nil {
			return nil, err
		}
		s.dir, opts.Dir = dir, dir
		if !opts.ReadOnly {
			s.log = &fileLogger{path: filepath.Join(dir, "store.log")}
		}
	}
	if !opts.InMemory && !opts.ReadOnly {
		if err := checkFreeSpace(s.dir); err != nil {
			return nil, err
		}
	}
	if opts.ReadOnly && opts.CountersOnly && !opts.InMemory {
		if ok, err := s.fromSummary(); err != nil {
			return nil, err
		} else if ok {
			return s, nil
		}
	}
	var left leftovers
	if !opts.InMemory {
		var err error
		if left, err = checkFiles(s.dir); err != nil {
			return nil, err
		}
		s.resident = watchResident(opts)
	}
	var logger badger.Logger = s.log
	if s.log == nil {
		logger = silentLogger{}
	}
	db, err := s.openBadger(opts, left, logger)
	if err != nil {
		s.resident.close()
		if errors.Is(err, ErrLocked) {
			return nil, err
		}
		if diskFull(err) {
			return nil, mapDiskFull(err, s.dir, "opening the store")
		}
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("%s is %w", s.dir, ErrLocked)
		}
		return nil, fmt.Errorf("%w: cannot open the store in %s: %v", ErrDataDir, s.dir, err)
	}
	s.db = db
	if s.shadow != nil {
		s.resident.watch(s.shadow.path)
	}
	if !opts.InMemory && !opts.ReadOnly {
		removeRebuildLeftover(s.dir) // of a killed Forget; we hold the lock now
	}
	if err := s.load(); err != nil {
		s.resident.close()
		db.Close()
		s.shadow.close()
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if !opts.ReadOnly {
		s.convs = newConvCache(convCacheGenerationSmall)
		if opts.Bulk {
			s.convs = newConvCache(convCacheGeneration)
		}
	}
	if !opts.InMemory && !opts.ReadOnly {
		s.wg.Add(1)
		go s.collectGarbage()
	}
	return s, nil
}

// openBadger opens Badger on the store, or, for a reader of a store a
// killed writer left, on a shadow of it (shadow.go): Badger's recovery
// (cutting the memtable logs, deleting tables the MANIFEST does not name
// yet) is a writer's, and a writer says in store.log what it recovers.
func (s *Store) openBadger(opts Options, left leftovers, logger badger.Logger) (*badger.DB, error) {
	if !opts.ReadOnly || len(left.orphanTables) == 0 {
		if len(left.orphanTables) > 0 {
			s.log.Warningf("removing table files the MANIFEST does not name, left by a writer killed while it wrote them: %s", strings.Join(left.orphanTables, ", "))
		}
		db, err := badger.Open(badgerOptions(opts, logger))
		// Badger flattens this error into text on the way up, so errors.Is misses it.
		if !opts.ReadOnly || err == nil || !strings.Contains(err.Error(), badger.ErrTruncateNeeded.Error()) {
			return db, err
		}
	}
	var err error
	if s.shadow, err = newShadow(s.dir, left.orphanTables); err != nil {
		return nil, err
	}
	shadowOpts := opts
	shadowOpts.Dir = s.shadow.path
	db, err := badger.Open(badgerOptions(shadowOpts, logger))
	if err != nil {
		s.shadow.close()
		s.shadow = nil
	}
	return db, err
}

// prepareDir checks the data directory and creates it (0700) when writing.
func prepareDir(opts Options) (string, error) {
	dir := opts.Dir
	if dir == "" {
		return "", fmt.Errorf("%w: no data directory given", ErrDataDir)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return "", fmt.Errorf("%w: %s is a file, not a directory", ErrDataDir, dir)
	case errors.Is(err, os.ErrNotExist) && opts.ReadOnly:
		return "", fmt.Errorf("%w in %s: nothing has been recorded there yet", ErrNoStore, dir)
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("%w: cannot create %s: %v", ErrDataDir, dir, err)
		}
	case err != nil:
		return "", fmt.Errorf("%w: %s: %v", ErrDataDir, dir, err)
	}
	if _, err := os.ReadDir(dir); err != nil {
		return "", fmt.Errorf("%w: cannot read %s: %v", ErrDataDir, dir, err)
	}
	if opts.ReadOnly {
		if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil {
			if hasStoreFiles(dir) {
				return "", manifestDamaged(filepath.Join(dir, "MANIFEST"), "is missing, but the directory holds store files")
			}
			return "", fmt.Errorf("%w in %s: nothing has been recorded there yet", ErrNoStore, dir)
		}
		return dir, nil
	}
	probe, err := os.CreateTemp(dir, ".csat-write-probe-*")
	if err != nil {
		return "", fmt.Errorf("%w: %s is not writable: %v", ErrDataDir, dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return dir, nil
}

// load reads the schema version, upgrades a store an older csat wrote
// (migrate.go) or stamps a new one, reads the in-memory state and, in a
// writer, finishes a batch a previous run left half-written and then
// builds the segment and filter counters and the indexes an older store
// lacks.
func (s *Store) load() error {
	version, err := s.loadSchema()
	if err != nil {
		return err
	}
	if s.readOnly {
		s.schema = version
	}
	if !s.readOnly {
		if version != 0 && version < schemaVersion && s.onUpgrade != nil {
			defer s.onUpgrade(version, schemaVersion)()
		}
		if err := s.migrate(version); err != nil {
			return err
		}
	}
	st := memState{settings: domain.DefaultSettings(), roles: map[string]domain.Role{}, teams: map[string]*domain.Team{}, ids: map[domain.Actor]uint32{}}
	err = s.db.View(func(txn *badger.Txn) error {
		if err := getValue(txn, keyMeta, func(v []byte) error { return decodeMeta(v, &st) }); err != nil {
			return err
		}
		if err := iterate(txn, prefix(pAgent), func(k, v []byte) error {
			a, err := decodeAgent(v)
			if err != nil {
				return err
			}
			id := uint32(len(st.agents))
			st.agents = append(st.agents, a)
			st.ids[a] = id
			return nil
		}); err != nil {
			return err
		}
		st.totals = make([]domain.Counts, len(st.agents))
		if err := getValue(txn, keyTotal, func(v []byte) error { return decodeAgentCounts(v, st.totals) }); err != nil {
			return err
		}
		if s.names, err = loadNames(txn); err != nil {
			return err
		}
		if err := loadHistory(txn, &st.history); err != nil {
			return err
		}
		return loadRoster(txn, &st)
	})
	if err != nil {
		return err
	}
	s.st = st
	if s.readOnly {
		return nil
	}
	if err := s.finishPending(); err != nil {
		return err
	}
	if err := s.upgradeSegments(version); err != nil {
		return err
	}
	if err := s.upgradeIndexes(version); err != nil {
		return err
	}
	if err := s.upgradeFilterCounters(version); err != nil {
		return err
	}
	if err := s.upgradeNameTimes(version); err != nil {
		return err
	}
	if err := s.upgradeDecisions(version); err != nil {
		return err
	}
	return s.upgradeParts(version)
}

// loadSchema reads the schema version: 0 for a new, empty store. It
// refuses a newer schema, and an older one on a read-only open.
func (s *Store) loadSchema() (version uint64, err error) {
	where := s.dir
	if where == "" {
		where = "the in-memory store"
	}
	err = s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(keySchema)
		if errors.Is(err, badger.ErrKeyNotFound) {
			it := txn.NewIterator(badger.IteratorOptions{})
			defer it.Close()
			if it.Rewind(); it.Valid() {
				return fmt.Errorf("%w: %s holds data but no csat schema version", ErrDataDir, where)
			}
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) (err error) {
			version, err = decodeSchema(v)
			return err
		})
	})
	switch {
	case err != nil:
		return 0, err
	case version > schemaVersion:
		return 0, fmt.Errorf("the store in %s was %w (schema %d; this csat reads schema %d and older): upgrade csat", where, ErrNewerSchema, version, schemaVersion)
	case version != 0 && version < readableSchema && s.readOnly:
		return 0, fmt.Errorf("%w: the store in %s was %w (schema %d); a writing command (csat import, csat serve, csat simulate load) upgrades it to schema %d once, which read-only commands do not", ErrDataDir, where, ErrOlderSchema, version, schemaVersion)
	}
	return version, nil
}

func (s *Store) writeSchema() error { return s.writeSchemaVersion(schemaVersion) }

// writeSchemaVersion stamps the store with a schema version: this build's,
// or a step of an upgrade.
func (s *Store) writeSchemaVersion(v uint64) error {
	return s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(keySchema, encodeSchema(v))
	})
}

func getValue(txn *badger.Txn, key []byte, fn func(v []byte) error) error {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return item.Value(fn)
}

// iterate calls fn for each key under p, in order. k and v are valid only during fn.
func iterate(txn *badger.Txn, p []byte, fn func(k, v []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
	defer it.Close()
	for it.Seek(p); it.ValidForPrefix(p); it.Next() {
		item := it.Item()
		k := item.Key()
		if err := item.Value(func(v []byte) error { return fn(k, v) }); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the background work and closes Badger.
func (s *Store) Close() error {
	if s == nil || s.db == nil {
		return nil
	}
	s.cancel()
	s.closeFeeds()
	s.wg.Wait()
	pairs, keep := s.summaryToKeep()
	// The watcher keeps watching while Badger finishes its compactions and
	// writes its memtables: a load's resident set rose by 40 MB of table
	// pages as it closed. Its drops hold off the unmapping of the tables
	// Badger closes (resident_linux.go).
	err := s.closeBadger()
	s.resident.close()
	s.db = nil
	if keep && err == nil {
		if werr := writeSummary(s.dir, pairs); werr != nil {
			s.log.Warningf("cannot write the counters summary (read-only commands open the whole store instead): %v", werr)
		}
	}
	s.shadow.close()
	s.log.close()
	return err
}

// closeBadger closes Badger, which first writes its memtables to tables.
// Badger retries a failed write of a memtable forever, once a second: on a
// full disk Close never returned. So when Badger reports such a failure
// while closing, the store gives up on it and says so; what was committed
// stays in the write-ahead logs, as after a kill, and the next writable
// open recovers it.
func (s *Store) closeBadger() error {
	select {
	case <-s.log.flushFailures(): // one from before Close, since retried
	default:
	}
	if s.summary {
		// The summary's in-memory Badger is thrown away: emptied first,
		// Close does not build its memtable into a table (a fifth of a
		// report's CPU). Close follows whatever DropAll says.
		_ = s.db.DropAll()
	}
	done := make(chan error, 1)
	go func() { done <- s.db.Close() }()
	select {
	case err := <-done:
		return err
	case failure := <-s.log.flushFailures():
		return mapDiskFull(fmt.Errorf("closing the store in %s: Badger cannot write its memtable to a table (%s); what was committed is kept in its write-ahead logs, and the next writing command recovers it", s.dir, failure), s.dir, "closing the store")
	}
}

// collectGarbage runs Badger's value-log GC now and then until Close.
func (s *Store) collectGarbage() {
	defer s.wg.Done()
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			db, done := s.useDB()
			for s.ctx.Err() == nil && db.RunValueLogGC(0.5) == nil {
			}
			done()
		}
	}
}

// Dir is the data directory ("" in memory).
func (s *Store) Dir() string { return s.dir }

// Latest is the time of the newest event stored (zero when none is). It
// is no clock: each conversation has its own time, and "now" for a period
// is the reader's wall clock (see [Now]).
func (s *Store) Latest() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.latest
}

// Seq is the sequence number of the last logged event (0 when the log is empty).
func (s *Store) Seq() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.seq
}

// Settings are the settings in force.
func (s *Store) Settings() domain.Settings {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.settings
}

// AllTime returns an agent's all-time counts.
func (s *Store) AllTime(agent domain.Actor) domain.Counts {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.allTime(agent)
}

func (st *memState) allTime(agent domain.Actor) domain.Counts {
	if id, ok := st.ids[agent]; ok && int(id) < len(st.totals) {
		return st.totals[id]
	}
	return domain.Counts{}
}

// TeamAllTime sums the teammates' all-time counts.
func (s *Store) TeamAllTime() domain.Counts {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.teamAllTime()
}

func (st *memState) teamAllTime() domain.Counts {
	var sum domain.Counts
	for id, a := range st.agents {
		if a.IsTeammate() {
			sum.Add(st.totals[id])
		}
	}
	return sum
}

// OpenFollowUps counts open follow-up items under the current threshold.
func (s *Store) OpenFollowUps() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.queue.Open(s.st.settings.FollowUp)
}

// clone copies the state so that a batch can work on it and drop it on error.
func (st *memState) clone() memState {
	c := *st
	c.roles = maps.Clone(st.roles)
	c.teams = maps.Clone(st.teams)
	if c.teams == nil {
		c.teams = map[string]*domain.Team{}
	}
	c.agents = st.agents[:len(st.agents):len(st.agents)]
	c.ids = nil // a batch looks new agents up in its own map first
	c.totals = append([]domain.Counts(nil), st.totals...)
	return c
}
