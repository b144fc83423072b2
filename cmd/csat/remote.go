package main

// One store, one owner: Badger admits one process per data directory. The
// process that holds it (csat serve, or the dashboard) listens on a socket
// in the data directory (owner.go); commands that need the store there run
// inside that process instead. What remains here is for the dashboard,
// which cannot run through another process: where to find csat serve's
// shared dashboard instead.

import (
	"errors"
	"fmt"

	"github.com/csat-app/csat/serve"
	"github.com/csat-app/csat/store"
)

// serverAddress returns the record of the live server owning dir, if any.
func serverAddress(dir string) (serve.Info, bool) {
	info, err := serve.ReadInfo(dir)
	return info, err == nil
}

// busyHint explains a store held by another process; when that process is
// `csat serve`, it says how to reach the shared dashboard instead.
func busyHint(dir string, err error) error {
	if !errors.Is(err, store.ErrLocked) {
		return err
	}
	if info, ok := serverAddress(dir); ok {
		return fmt.Errorf("%w\n`csat serve` (pid %d) owns %s; open the shared dashboard with: %s", err, info.PID, dir, info.SSHCommand())
	}
	return err
}

// servedElsewhere tells a plain `csat` on a data directory that `csat serve`
// owns how to open the shared dashboard instead.
func servedElsewhere(g *globals, demo bool) error {
	if demo {
		return nil
	}
	dir, err := store.DefaultDir(g.dataDir)
	if err != nil {
		return nil
	}
	info, ok := serverAddress(dir)
	if !ok {
		return nil
	}
	return usageErr(fmt.Errorf("csat serve (pid %d) owns this data directory; open the shared dashboard with: %s", info.PID, info.SSHCommand()))
}
