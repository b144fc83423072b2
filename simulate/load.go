package simulate

// Placeholder for the load generator; the store issue's implementer replaces
// it. The signatures are the contract used by the dashboard's --demo.

import (
	"context"
	"errors"
	"time"

	"github.com/csat-app/csat/domain"
)

// Loader is a Backend that also commits batches in one transaction.
type Loader interface {
	Backend
	ApplyBatch(evs []domain.Event) ([]domain.Outcome, error)
}

// LoadConfig shapes synthetic traffic. Same config, same seed: same events.
type LoadConfig struct {
	Teammates     int
	Conversations int
	Days          int
	Seed          int64
	End           time.Time // the data ends at this time (the demo uses now)
}

// LoadSummary counts what a load produced.
type LoadSummary struct {
	Events        int
	Sent          int
	Skipped       map[domain.Code]int
	RatingsByFace [6]int
}

// Load writes cfg's synthetic history into dst in batches; progress, if not
// nil, is called with events done and total. Ctrl-C (ctx) stops it between
// batches: a batch is committed whole or not at all.
func Load(ctx context.Context, dst Loader, cfg LoadConfig, progress func(done, total int)) (LoadSummary, error) {
	return LoadSummary{}, errors.New("load: not implemented yet")
}

// LoadLive keeps producing realistic traffic at about eventsPerSecond, with
// timestamps from now(), until ctx ends.
func LoadLive(ctx context.Context, dst Loader, cfg LoadConfig, eventsPerSecond float64, now func() time.Time) error {
	return errors.New("load: not implemented yet")
}
