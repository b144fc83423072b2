package badger

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncedLogs records, for each memtable log and value log, how many of its
// bytes the last sync made durable: what a power loss keeps of it.
type syncedLogs struct {
	mu   sync.Mutex
	upTo map[string]uint32
}

// observeLogSyncs records every sync of a log file until the test ends.
func observeLogSyncs(t *testing.T) *syncedLogs {
	t.Helper()
	s := &syncedLogs{upTo: map[string]uint32{}}
	logFileSynced = func(lf *logFile, upTo uint32) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.upTo[lf.path] = max(s.upTo[lf.path], upTo)
	}
	t.Cleanup(func() { logFileSynced = nil })
	return s
}

// copyAsAfterPowerLoss copies the files of dir, open by a writer, into a new
// directory as a power loss would leave them now: tables and the MANIFEST
// as they are (Badger syncs each before it counts on it), each value log's
// bytes past its last sync zeroed (the files are preallocated: zeros), and
// the memtable logs gone (never synced without SyncWrites).
func (s *syncedLogs) copyAsAfterPowerLoss(t *testing.T, dir string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := tempDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == lockFile || strings.HasSuffix(name, memFileExt) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".vlog") {
			kept := max(s.upTo[filepath.Join(dir, name)], vlogHeaderSize)
			clear(data[min(int(kept), len(data)):])
		}
		if err := os.WriteFile(filepath.Join(out, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func flushTestValue(i, size int) []byte {
	word := fmt.Sprintf("value %06d ", i)
	return bytes.Repeat([]byte(word), size/len(word))
}

// Without SyncWrites nothing syncs the value log as writes land, and a
// memtable's flush writes a table (synced) and records it in the MANIFEST
// (synced) while the values it points at may still be only in the page
// cache. A power loss then leaves a table pointing at bytes that never
// reached the disk: the next open cuts the value log at its last whole
// entry and each such key reads as an error, or as whatever is written
// there next. A flush must sync the value log first.
func TestAFlushedTableReadsBackAfterAPowerLoss(t *testing.T) {
	powerLossAfterAFlush(t, 16<<20, 50, 1300)
}

// A transaction whose values overrun a value log's mapping grows the file
// to the end of each value in turn; rotated right after, the file is as
// long as its data, and upstream's rotation then syncs nothing (Truncate
// to the size it has returns at once): its last value stayed unsynced
// while the flush synced only the newest value log.
func TestAFlushedTableReadsBackAfterAPowerLossAcrossGrownValueLogs(t *testing.T) {
	powerLossAfterAFlush(t, 1<<20, 250, 10<<10)
}

// powerLossAfterAFlush writes transactions of perTxn values of valueSize
// bytes each until a memtable is full and waits for its flush, then opens
// a copy of the store as a power loss would leave it and reads every key
// back.
func powerLossAfterAFlush(t *testing.T, valueLogFileSize int64, perTxn, valueSize int) {
	synced := observeLogSyncs(t)
	dir := tempDir(t)
	opt := DefaultOptions(dir).WithLoggingLevel(WARNING).WithNumCompactors(0).
		WithSyncWrites(false).WithMemTableSize(256 << 10).WithValueThreshold(64).
		WithValueLogFileSize(valueLogFileSize)
	db, err := Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	flushing := func() bool {
		db.lock.RLock()
		defer db.lock.RUnlock()
		return len(db.imm) > 0
	}
	written := 0
	for !flushing() {
		if written > 20000 {
			t.Fatal("no memtable filled up")
		}
		err := db.Update(func(txn *Txn) error {
			for range perTxn {
				if err := txn.Set([]byte(fmt.Sprintf("k/%06d", written)), flushTestValue(written, valueSize)); err != nil {
					return err
				}
				written++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(30 * time.Second); db.lc.levels[0].numTables() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the full memtable was not flushed in 30 s")
		}
		time.Sleep(time.Millisecond)
	}
	crashed := synced.copyAsAfterPowerLoss(t, dir)

	after, err := Open(DefaultOptions(crashed).WithLoggingLevel(WARNING).WithNumCompactors(0).
		WithValueThreshold(64).WithValueLogFileSize(valueLogFileSize))
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	read, lost := 0, 0
	err = after.View(func(txn *Txn) error {
		it := txn.NewIterator(DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var i int
			if _, err := fmt.Sscanf(string(it.Item().Key()), "k/%06d", &i); err != nil {
				return err
			}
			got, err := it.Item().ValueCopy(nil)
			switch {
			case err != nil:
				lost++
				if lost == 1 {
					t.Errorf("key %q of a flushed table: %v", it.Item().Key(), err)
				}
			case !bytes.Equal(got, flushTestValue(i, valueSize)):
				lost++
				if lost == 1 {
					t.Errorf("key %q of a flushed table reads %.40q…", it.Item().Key(), got)
				}
			}
			read++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if read == 0 {
		t.Fatal("no key survived the power loss; the flushed table holds some")
	}
	if lost > 0 {
		t.Errorf("%d of the %d keys in the flushed table lost their value", lost, read)
	}
}
