package main

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/csat-app/csat/store"
	"github.com/dgraph-io/ristretto/v2/z"
)

// An upgrade reads the whole log once, whatever command opened the store:
// it runs under a bulk writer's budget, or under the command's own if that
// is smaller, and the command's budget comes back once it has ended.
func TestUpgradeRunsUnderTheBulkBudget(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer z.WatchMapped(nil)
	defer limitWithMapped(0)
	for _, tc := range []struct {
		name           string
		before, during int64
	}{
		{"no budget", 0, bulkMemoryLimit},
		{"a larger budget", 512 << 20, bulkMemoryLimit},
		{"a smaller budget", 64 << 20, 64 << 20},
	} {
		limitWithMapped(tc.before)
		before := debug.SetMemoryLimit(-1)
		if tc.before == 0 && before != math.MaxInt64 {
			t.Fatalf("%s: the heap's limit is %d, want none", tc.name, before)
		}
		ended := noticeUpgrade(store.Options{Dir: t.TempDir()}).OnUpgrade(8, 9)
		if got, want := debug.SetMemoryLimit(-1), max(tc.during-z.NumAllocBytes(), minHeapLimit); got != want {
			t.Errorf("%s: during the upgrade the heap's limit is %d, want %d", tc.name, got, want)
		}
		ended()
		if got := debug.SetMemoryLimit(-1); got != before {
			t.Errorf("%s: after the upgrade the heap's limit is %d, want %d again", tc.name, got, before)
		}
	}
	t.Setenv("GOMEMLIMIT", "300MiB")
	limitWithMapped(0)
	ended := noticeUpgrade(store.Options{Dir: t.TempDir()}).OnUpgrade(8, 9)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set the upgrade changed the heap's limit to %d", got)
	}
	ended()
}
