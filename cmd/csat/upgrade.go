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
// seconds to minutes. The upgrade runs under a bulk writer's memory
// budget (limitDuringUpgrade).
func noticeUpgrade(opts store.Options) store.Options {
	opts.OnUpgrade = func(from, to uint64) func() {
		start := time.Now()
		restore := limitDuringUpgrade()
		fmt.Fprintf(os.Stderr, "csat: upgrading the store in %s from schema %d to %d, once (a large store takes a while)…\n", opts.Dir, from, to)
		return func() {
			restore()
			fmt.Fprintf(os.Stderr, "csat: the store is at schema %d (upgraded in %s)\n", to, time.Since(start).Round(100*time.Millisecond))
		}
	}
	return opts
}

// limitDuringUpgrade gives an upgrade a bulk writer's memory budget, unless
// GOMEMLIMIT or a smaller budget is set, and returns what puts the earlier
// budget back. An upgrade reads the whole log once and writes a family
// from it in a write batch, as an import does: on the realistic 1M store
// the schema 9 step peaked at 520 MiB with the default GOGC, and at 256
// MiB under a soft limit of 160 MiB (BENCHMARKS.md).
func limitDuringUpgrade() (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	heapLimit.Lock()
	prior := heapLimit.budget
	heapLimit.Unlock()
	if prior != 0 && prior <= bulkMemoryLimit {
		return func() {}
	}
	limitWithMapped(bulkMemoryLimit)
	return func() { limitWithMapped(prior) }
}
