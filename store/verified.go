package store

// Verifying every block of every table at each open reads the whole store:
// 0.1 s of CPU per 30 MB, over a second on a store of a million ratings,
// at every dashboard and report. Tables are immutable once written, so a
// table verified whole is remembered, by path and the file's identity
// (inode, size, modification and change times), in the user's cache
// directory, never in the data directory: any write to the file, a flipped
// bit included, changes its change time, and it is verified again. What
// this cannot see is a bit the disk itself flips in a table verified
// before; Badger still verifies each block it reads from disk, and
// CSAT_VERIFY_TABLES=all verifies every table at every open.

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// verifiedTables is the set of table files verified whole.
type verifiedTables struct {
	path   string // the cache file; "" when there is nowhere to keep it
	mu     sync.Mutex
	known  map[string]bool // "path stamp"
	added  []string
	pruned bool // entries of tables gone were dropped
}

func loadVerifiedTables() *verifiedTables {
	v := &verifiedTables{known: map[string]bool{}}
	if os.Getenv("CSAT_VERIFY_TABLES") == "all" {
		return v
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return v
	}
	v.path = filepath.Join(dir, "csat", "verified-tables")
	if f, err := os.Open(v.path); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			v.known[sc.Text()] = true
		}
		f.Close()
	}
	return v
}

// stamp identifies a file's content as far as its metadata can; false
// where the platform gives no change time (fileIdentity), and then the
// table is verified at every open.
func stamp(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", false
	}
	id, ok := fileIdentity(fi)
	if !ok {
		return "", false
	}
	abs, err := filepath.Abs(path)
	if err != nil || strings.ContainsAny(abs, "\n") {
		return "", false
	}
	return abs + " " + id, true
}

func (v *verifiedTables) has(path string) bool {
	s, ok := stamp(path)
	return ok && v.path != "" && v.known[s]
}

func (v *verifiedTables) add(path string) {
	if s, ok := stamp(path); ok {
		v.mu.Lock()
		v.added = append(v.added, s)
		v.mu.Unlock()
	}
}

// forgetGone drops the entries of table files in dir other than live
// (absolute paths): a compaction deletes tables, and without this their
// entries would crowd out live ones.
func (v *verifiedTables) forgetGone(dir string, live map[string]bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return
	}
	for line := range v.known {
		path, _, ok := cutLast(line, ' ')
		if ok && filepath.Dir(path) == abs && !live[path] {
			delete(v.known, line)
			v.pruned = true
		}
	}
}

func cutLast(s string, sep byte) (before, after string, ok bool) {
	if i := strings.LastIndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// save appends what was verified, drops the entries of directories gone,
// and keeps the newest 32768 (the tables of a store of ten million
// ratings fit): the cache is a hint, so failing to write it is no error.
func (v *verifiedTables) save() {
	if v.path == "" || len(v.added) == 0 && !v.pruned {
		return
	}
	lines := append(v.added, liveEntries(v.known)...)
	if len(lines) > 32768 {
		lines = lines[:32768]
	}
	if err := os.MkdirAll(filepath.Dir(v.path), 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(v.path), ".verified-tables-*")
	if err != nil {
		return
	}
	_, err = f.WriteString(strings.Join(lines, "\n") + "\n")
	if cerr := f.Close(); err != nil || cerr != nil {
		os.Remove(f.Name())
		return
	}
	if os.Rename(f.Name(), v.path) != nil {
		os.Remove(f.Name())
	}
}

// liveEntries are the entries of known whose directory still exists: a
// store deleted (a test's, a demo's) leaves none behind.
func liveEntries(known map[string]bool) []string {
	gone := map[string]bool{}
	out := make([]string, 0, len(known))
	for line := range known {
		path, _, _ := cutLast(line, ' ')
		dir := filepath.Dir(path)
		isGone, seen := gone[dir]
		if !seen {
			_, err := os.Stat(dir)
			isGone = errors.Is(err, os.ErrNotExist)
			gone[dir] = isGone
		}
		if !isGone {
			out = append(out, line)
		}
	}
	return out
}
