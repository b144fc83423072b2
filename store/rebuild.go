package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// rebuildSuffix names the sibling directory a rebuild writes the fresh
// store into: DIR.forgetting beside DIR. After the exchange it holds the
// old store until that is removed.
const rebuildSuffix = ".forgetting"

// faultEnv names a step of a rebuild (replay, built, swapped) at which the
// process kills itself with SIGKILL. Only the reliability tests set it, to
// kill `csat forget` at exactly that moment.
const faultEnv = "CSAT_TEST_FORGET_KILL"

func faultPoint(step string) {
	if os.Getenv(faultEnv) != step {
		return
	}
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Kill()
	}
	select {}
}

// rebuild replays the log with replay, the targets' texts redacted, into a fresh store
// and puts it in place of this one; record is appended to it. x is the
// erasure's batch: it holds the write lock throughout. It returns the
// record's sequence number.
func (s *Store) rebuild(replay LogReplay, x *Batch, targets map[string]bool, people map[domain.Actor]bool, record []domain.Event) (uint64, error) {
	bo := s.db.Opts()
	if bo.InMemory {
		bo.ValueThreshold = 1 << 20 // Badger raised it past its own limit when opening
	}
	scratch, real, sib := bo, "", ""
	if !bo.InMemory {
		var err error
		if real, err = filepath.EvalSymlinks(s.dir); err != nil {
			return 0, fmt.Errorf("erasure: %w", err)
		}
		sib = real + rebuildSuffix
		if err := os.RemoveAll(sib); err != nil {
			return 0, fmt.Errorf("erasure: removing an earlier attempt: %w", err)
		}
		scratch.Dir, scratch.ValueDir, scratch.SyncWrites = sib, sib, false // synced whole below
	}
	fresh, err := openScratch(scratch)
	if err != nil {
		return 0, err
	}
	seq, err := s.replayRedacted(replay, fresh, targets, people, record)
	if err == nil {
		err = s.carryScenarios(fresh)
	}
	if err == nil {
		err = s.carryLoadRecord(fresh, uint64(len(record)))
	}
	if err == nil && !bo.InMemory {
		err = sealScratch(fresh.db, real, sib)
	}
	if err != nil {
		fresh.db.Close()
		if sib != "" {
			os.RemoveAll(sib)
		}
		return 0, err
	}
	if bo.InMemory {
		return seq, s.handOver(x, func(old *badger.DB) (*badger.DB, error) {
			old.Close()
			return fresh.db, nil
		})
	}
	err = s.handOver(x, func(old *badger.DB) (*badger.DB, error) {
		// The old database must be closed before the exchange: it writes
		// (its last memtable, compactions) into its directory's path.
		if err := old.Close(); err != nil {
			return s.reopen(bo, fmt.Errorf("erasure: closing the store to swap it: %w; nothing was erased", err))
		}
		if err := exchangeDirs(real, sib); err != nil {
			return s.reopen(bo, fmt.Errorf("erasure: swapping %s with its rebuilt copy: %w; nothing was erased", real, err))
		}
		syncDir(filepath.Dir(real))
		faultPoint("swapped")
		return s.reopen(bo, nil)
	})
	if err != nil {
		return 0, err
	}
	if err := os.RemoveAll(sib); err != nil {
		return 0, fmt.Errorf("erasure: done, but the old store in %s could not be removed: %w", sib, err)
	}
	syncDir(filepath.Dir(real))
	return seq, nil
}

// reopen opens the data directory again with bo after a swap (or a failed
// one), passing cause on.
func (s *Store) reopen(bo badger.Options, cause error) (*badger.DB, error) {
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("erasure: the store in %s cannot be opened again (%v): restart csat; %v", s.dir, err, cause)
	}
	return db, cause
}

// handOver replaces the database: new snapshots wait, the open ones
// finish, the batch x lets go of its read transaction, replace turns the
// old database into the new one, and the state is loaded from it.
func (s *Store) handOver(x *Batch, replace func(old *badger.DB) (*badger.DB, error)) error {
	s.gate.Lock()
	defer s.gate.Unlock()
	s.mu.Lock()
	users, old := s.users.Swap(new(sync.WaitGroup)), s.db
	s.mu.Unlock()
	if users != nil {
		users.Wait()
	}
	x.b.discard() // its read transaction is on the old database; the write lock stays
	db, err := replace(old)
	if db == nil {
		return err
	}
	if ierr := s.install(db); ierr != nil {
		return ierr
	}
	return err
}

// openScratch opens an empty store on bo, without the background work of Open.
func openScratch(bo badger.Options) (*Store, error) {
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("erasure: opening a scratch store in %s: %v", bo.Dir, err)
	}
	t := &Store{db: db, dir: bo.Dir}
	if err := t.load(); err != nil {
		db.Close()
		return nil, err
	}
	return t, nil
}

// replayRedacted replays the log with replay into fresh, the targets'
// texts and the people's display names and emails redacted, and requires
// every event to decide exactly as recorded; then the record.
func (s *Store) replayRedacted(replay LogReplay, fresh *Store, targets map[string]bool, people map[domain.Actor]bool, record []domain.Event) (uint64, error) {
	type recorded struct {
		seq uint64
		o   domain.Outcome
	}
	var queue []recorded // read from the log, not yet decided by the replay
	redactedLog := func(yield func(domain.Event) error) error {
		return s.EventsWithOutcomes(0, func(seq uint64, ev domain.Event, o domain.Outcome) error {
			if targets[ev.Conv] {
				ev.Text = domain.Redact(ev.Text)
			}
			if ev.Kind == domain.EvName && people[ev.Actor] {
				ev.Text, ev.By = domain.Redact(ev.Text), ""
			}
			queue = append(queue, recorded{seq, o})
			return yield(ev)
		})
	}
	asRecorded := func(n int, got *domain.Outcome) error {
		if len(queue) == 0 {
			return fmt.Errorf("the replay decided event %d, which the log did not hand it", n)
		}
		want := queue[0]
		queue = queue[1:]
		if !sameOutcome(got, &want.o) {
			return fmt.Errorf("event %d decides %s on replay but was recorded %s (run csat check)", want.seq, got.Decision, want.o.Decision)
		}
		if n == 1 {
			faultPoint("replay")
		}
		return nil
	}
	if err := replay(redactedLog, fresh, asRecorded); err != nil {
		return 0, fmt.Errorf("erasure: %w; nothing was erased", err)
	}
	if _, err := fresh.ApplyBatch(record); err != nil {
		return 0, fmt.Errorf("erasure: recording it: %w; nothing was erased", err)
	}
	return fresh.Seq() - uint64(len(record)) + 1, nil
}

// sameOutcome compares outcomes as the log stores them.
func sameOutcome(a, b *domain.Outcome) bool {
	ea, eb := enc{}, enc{}
	ea.outcome(a)
	eb.outcome(b)
	return bytes.Equal(ea.b, eb.b)
}

// sealScratch closes the rebuilt store, makes it durable and carries the
// data directory's other files over (hard links), ready for the exchange.
func sealScratch(fresh *badger.DB, real, sib string) error {
	if err := fresh.Close(); err != nil {
		return fmt.Errorf("erasure: closing the rebuilt store: %w", err)
	}
	faultPoint("built")
	if err := syncTree(sib); err != nil {
		return fmt.Errorf("erasure: syncing the rebuilt store: %w", err)
	}
	if err := carryFiles(real, sib); err != nil {
		return fmt.Errorf("erasure: %w", err)
	}
	return nil
}

// install makes db the store's database, with the state loaded from it.
// The caller holds the gate.
func (s *Store) install(db *badger.DB) error {
	t := &Store{db: db, dir: s.dir}
	if err := t.load(); err != nil {
		db.Close()
		return err
	}
	s.mu.Lock()
	s.db, s.st, s.names = db, t.st, t.names
	s.convs.reset() // the records of the database replaced
	seq := s.st.seq
	s.mu.Unlock()
	s.announce(Change{Seq: seq, Ratings: true, FollowUps: true, Conversations: true, Settings: true})
	return nil
}

// enter counts one more user of the current database; the caller holds
// s.mu (read or write) and calls Done on the result when finished.
func (s *Store) enter() *sync.WaitGroup {
	users := s.users.Load()
	if users == nil {
		s.users.CompareAndSwap(nil, new(sync.WaitGroup))
		users = s.users.Load()
	}
	users.Add(1)
	return users
}

// useDB returns the current database, for work outside a snapshot (value
// log GC); done releases it.
func (s *Store) useDB() (*badger.DB, func()) {
	s.gate.RLock()
	defer s.gate.RUnlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	users := s.enter()
	return s.db, users.Done
}

// view runs fn in a tracked read transaction.
func (s *Store) view(fn func(txn *badger.Txn) error) error {
	txn, _, done := s.snapshot()
	defer done()
	return fn(txn)
}

// removeRebuildLeftover deletes what a killed rebuild left beside dir: the
// unfinished new store, or the old one after the exchange. The caller holds
// the store's lock, so no rebuild of dir is running.
func removeRebuildLeftover(dir string) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return
	}
	if _, err := os.Stat(real + rebuildSuffix); err == nil {
		os.RemoveAll(real + rebuildSuffix)
		syncDir(filepath.Dir(real))
	}
}

// badgerFile matches the files Badger keeps in the data directory; a
// rebuild writes its own, and carries every other file over.
var badgerFile = regexp.MustCompile(`^([0-9]+\.(sst|vlog|mem)|MANIFEST|KEYREGISTRY|DISCARD|LOCK|MANIFEST-REWRITE|KEYREGISTRY-REWRITE)$`)

// checkForeignEntries refuses a data directory holding directories: a
// rebuild carries files over, and would drop a directory with the old store.
func checkForeignEntries(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("erasure: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			return fmt.Errorf("erasure: the data directory %s holds the directory %s, which is not csat's: move it elsewhere first; nothing was changed", dir, e.Name())
		}
	}
	return nil
}

// carryFiles hard-links every entry of dir that is not Badger's into sib:
// the serve record, its token, the SSH host key, the store's log, and the
// owner's socket (a link to the socket a process listens on reaches it);
// a regular file that cannot be linked is copied.
func carryFiles(dir, sib string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || badgerFile.MatchString(e.Name()) {
			continue
		}
		src, dst := filepath.Join(dir, e.Name()), filepath.Join(sib, e.Name())
		err := os.Link(src, dst)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			continue
		}
		if !e.Type().IsRegular() {
			return fmt.Errorf("carrying %s over: %w", src, err)
		}
		if err := copyFile(src, dst); err != nil {
			return fmt.Errorf("carrying %s over: %w", src, err)
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncTree fsyncs every file of dir, then dir.
func syncTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
