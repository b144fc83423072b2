package main

import (
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// openStore opens the store in the data directory that --data-dir,
// $CSAT_DATA_DIR or $XDG_DATA_HOME name. Its errors (a file in the way, a
// directory that cannot be written, a store in use or from a newer csat)
// are bad input: callers return them with usageErr.
func openStore(g *globals, readOnly bool) (*store.Store, error) {
	dir, err := store.DefaultDir(g.dataDir)
	if err != nil {
		return nil, err
	}
	return store.Open(noticeUpgrade(store.Options{Dir: dir, ReadOnly: readOnly}))
}

// openBackend opens what `simulate run` writes into: memory for --dry-run,
// else a pending batch on the store that reaches disk, in one transaction,
// only when the returned close function runs on a script that did not fail
// (abandonBackend drops it first after a script error).
func openBackend(g *globals, dryRun bool) (simulate.Backend, func() error, error) {
	if dryRun {
		return simulate.NewMemory(), func() error { return nil }, nil
	}
	s, release, err := useStore(g, false) // or the store of the csat process owning it (owner.go)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.Begin()
	if err != nil {
		release()
		return nil, nil, err
	}
	closeBackend := func() error {
		var err error
		if b.Pending() {
			err = b.Commit()
		}
		if cerr := release(); err == nil {
			err = cerr
		}
		return err
	}
	return b, closeBackend, nil
}

// abandonBackend drops what a script wrote into a pending store batch, so
// that a script error leaves the store untouched.
func abandonBackend(b simulate.Backend) {
	if x, ok := b.(*store.Batch); ok {
		x.Discard()
	}
}
