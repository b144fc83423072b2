package store

// Badger's MANIFEST lists the table files that make up the store. At every
// open, read-only ones included, Badger deletes each table file the
// MANIFEST does not name, and a writable open first cuts the MANIFEST at
// its first unreadable entry: a damaged MANIFEST made a read-only check
// delete tables and report "ok". So before Badger opens the store,
// checkManifest reads the MANIFEST the same way and refuses, naming the
// file, unless it is whole and names exactly the table files there are.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// storeFileExts are the kinds of file Badger keeps in a data directory.
var storeFileExts = []string{".sst", ".vlog", ".mem"}

// tableIDs lists the table files of dir by id.
func tableIDs(dir string) map[uint64]string {
	ids := map[uint64]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sst") {
			continue
		}
		if id, err := strconv.ParseUint(strings.TrimSuffix(name, ".sst"), 10, 64); err == nil {
			ids[id] = filepath.Join(dir, name)
		}
	}
	return ids
}

// hasStoreFiles reports whether dir holds any file Badger writes besides the MANIFEST.
func hasStoreFiles(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if slices.Contains(storeFileExts, filepath.Ext(e.Name())) {
			return true
		}
	}
	return false
}

func manifestDamaged(path, what string) error {
	return fmt.Errorf("%w: %s %s; refusing to open the store, which would delete table files: restore the data directory from a backup", ErrDataDir, path, what)
}

// checkManifest returns the compression of each table the MANIFEST names
// (for checkTables) and the table files it does not name, which a killed
// writer leaves: a table written before the MANIFEST recorded it, or one a
// compaction replaced, recorded as deleted but not yet removed (Badger
// deletes them; a reader leaves them out, see shadow.go). With two
// compactors at work either can have any id, so such a file is no sign of
// damage. It refuses, naming the MANIFEST, one that is damaged, missing
// while other store files exist, names a table file that is not there, or
// names no table while table files are there, unless they are what a
// writer killed in its first flush leaves (firstFlushCutShort).
func checkManifest(dir string) (tables map[uint64]options.CompressionType, orphans []string, err error) {
	path := filepath.Join(dir, "MANIFEST")
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		if hasStoreFiles(dir) {
			return nil, nil, manifestDamaged(path, "is missing, but the directory holds store files")
		}
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, manifestDamaged(path, fmt.Sprintf("cannot be read (%v)", err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, manifestDamaged(path, fmt.Sprintf("cannot be read (%v)", err))
	}
	defer func() {
		if r := recover(); r != nil {
			tables, orphans, err = nil, nil, manifestDamaged(path, fmt.Sprintf("is damaged (%v)", r))
		}
	}()
	m, end, err := badger.ReplayManifestFile(f, 0, badger.DefaultOptions(dir))
	switch {
	case err != nil:
		return nil, nil, manifestDamaged(path, fmt.Sprintf("is damaged (%v)", err))
	case end != fi.Size():
		return nil, nil, manifestDamaged(path, fmt.Sprintf("is damaged: its entries stop at byte %d of %d (cut short or overwritten)", end, fi.Size()))
	}
	onDisk := tableIDs(dir)
	tables = map[uint64]options.CompressionType{}
	for id, t := range m.Tables {
		if _, ok := onDisk[id]; !ok {
			return nil, nil, manifestDamaged(path, fmt.Sprintf("names table file %06d.sst, which is missing", id))
		}
		tables[id] = t.Compression
	}
	for id, file := range onDisk {
		if _, ok := m.Tables[id]; ok {
			continue
		}
		if len(m.Tables) == 0 && !firstFlushCutShort(dir, m, onDisk) {
			return nil, nil, manifestDamaged(path, fmt.Sprintf("names no table, but table file %s is there", file))
		}
		orphans = append(orphans, file)
	}
	slices.Sort(orphans)
	return tables, orphans, nil
}

// firstFlushCutShort reports whether a MANIFEST that names no table, beside
// table files, is what a writer killed during its first flush leaves: a
// MANIFEST that never recorded a table, the first table file (Badger
// numbers from 1, and flushes one memtable at a time) and the write-ahead
// file it came from, which Badger keeps until the MANIFEST records the
// table. A MANIFEST reset beside a store's tables recorded none either, but
// its store has other tables than the first, or no write-ahead file left.
func firstFlushCutShort(dir string, m badger.Manifest, onDisk map[uint64]string) bool {
	if m.Creations != 0 || m.Deletions != 0 || len(onDisk) != 1 || onDisk[1] == "" {
		return false
	}
	mems, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	return len(mems) > 0
}
