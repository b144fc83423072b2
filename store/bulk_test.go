package store

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/csat-app/csat/simulate"
)

// A batch of simulate.DefaultBatchSize generated events is one
// transaction: at 5,000 it was too big for Badger's, and every batch was
// journaled and committed in parts.
func TestLoadBatchCommitsWhole(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Bulk: true})
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
	if batches := (sum.Events + simulate.DefaultBatchSize - 1) / simulate.DefaultBatchSize; commits != batches {
		t.Errorf("%d commits for %d batches (%d events)", commits, batches, sum.Events)
	}
}
