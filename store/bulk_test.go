package store

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/csat-app/csat/simulate"
)

// A bulk writer's batch of simulate.DefaultBatchSize generated events is
// one transaction: with the default memtables it was too big, and every
// batch was journaled and committed in parts.
func TestBulkStoreCommitsALoadBatchWhole(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		s, err := Open(Options{Dir: t.TempDir(), Bulk: bulk})
		if err != nil {
			t.Fatal(err)
		}
		commits := 0
		s.onEntry = func(k, _ []byte) {
			if bytes.Equal(k, keyMeta) {
				commits++
			}
		}
		cfg := simulate.LoadConfig{Teammates: 200, Conversations: 3000, Days: 10, Seed: 7,
			End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
		sum, err := simulate.Load(context.Background(), s, cfg, nil)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		batches := (sum.Events + simulate.DefaultBatchSize - 1) / simulate.DefaultBatchSize
		if bulk && commits != batches {
			t.Errorf("bulk: %d commits for %d batches (%d events)", commits, batches, sum.Events)
		}
		if !bulk && commits <= batches {
			t.Errorf("default options: %d commits for %d batches: the batches no longer split, so this test shows nothing", commits, batches)
		}
	}
}
