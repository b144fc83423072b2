package store

// A writer killed mid-run leaves its memtable logs (.mem) preallocated past
// their last entry; Badger opens such a store only for writing, and then
// cuts the files, which a read-only command must not do. So a reader opens
// a shadow of the directory instead: a private temporary directory whose
// files link to the store's, except each memtable log, copied up to its
// last committed entry (checkLogs has already refused real damage), and
// the table files the MANIFEST does not name yet (checkManifest). Badger
// reads the shadow read-only; the store's own files are never opened for
// writing. A shared lock on the data directory, held until Close, keeps
// writers away, as Badger's own read-only lock does.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// shadowDir is the shadow of a data directory and the lock held on it.
type shadowDir struct {
	path string
	lock *os.File
}

func (sh *shadowDir) close() {
	if sh == nil {
		return
	}
	os.RemoveAll(sh.path)
	sh.lock.Close()
}

// newShadow builds the shadow of dir, leaving out the files of skip. The
// error says why a read-only command cannot read the store.
func newShadow(dir string, skip []string) (sh *shadowDir, err error) {
	const why = "it was not closed cleanly (a csat process was killed): a writing command (import, serve, simulate load) recovers it; reading it without recovery needs a temporary directory"
	lock, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", why, err)
	}
	if err := lockShared(lock); err != nil {
		lock.Close()
		if errors.Is(err, errors.ErrUnsupported) {
			return nil, fmt.Errorf("%s: %v", why, err)
		}
		return nil, fmt.Errorf("%s is %w", dir, ErrLocked)
	}
	tmp, err := os.MkdirTemp("", "csat-read-")
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("%s, and none can be made: %v", why, err)
	}
	sh = &shadowDir{path: tmp, lock: lock}
	defer func() {
		if err != nil {
			sh.close()
			err = fmt.Errorf("%s, and making one failed: %v", why, err)
		}
	}()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		from, to := filepath.Join(dir, name), filepath.Join(tmp, name)
		switch {
		case !e.Type().IsRegular() || name == "LOCK" || slices.Contains(skip, from):
		case filepath.Ext(name) == ".mem":
			if err := copyCommitted(from, to); err != nil {
				return nil, err
			}
		default:
			if err := os.Symlink(from, to); err != nil {
				return nil, err
			}
		}
	}
	return sh, nil
}

// copyCommitted copies a memtable log up to the end of its last whole entry.
func copyCommitted(from, to string) error {
	scan, err := scanLogFile(from)
	if err != nil {
		return err
	}
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(dst, src, int64(scan.keep)); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
