package main

import (
	"fmt"
	"os"
	"time"

	"github.com/csat-app/csat/store"
)

// noticeUpgrade has a writable open say on stderr when it upgrades a store
// an older csat wrote, and how long that took: it runs once, before the
// command's own work, and on a store of millions of events it takes
// seconds to minutes.
func noticeUpgrade(opts store.Options) store.Options {
	opts.OnUpgrade = func(from, to uint64) func() {
		start := time.Now()
		fmt.Fprintf(os.Stderr, "csat: upgrading the store in %s from schema %d to %d, once (a large store takes a while)…\n", opts.Dir, from, to)
		return func() {
			fmt.Fprintf(os.Stderr, "csat: the store is at schema %d (upgraded in %s)\n", to, time.Since(start).Round(100*time.Millisecond))
		}
	}
	return opts
}
