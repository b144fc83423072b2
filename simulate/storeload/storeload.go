// Package storeload is the store as the destination of a simulated load
// (simulate.Load): it records the load's progress with every batch, which
// is what lets the same command continue an interrupted load, and writes
// the batches one ahead through a store.LoadPipeline. It sits beside
// simulate and store so that neither imports the other.
package storeload

import (
	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// Destination is a store as a load writes to it: a
// simulate.PipelineLoader.
type Destination struct{ *store.Store }

var _ simulate.PipelineLoader = Destination{}

// ApplyLoadBatch commits evs with the progress p records.
func (s Destination) ApplyLoadBatch(evs []domain.Event, p simulate.LoadProgress) ([]domain.Outcome, error) {
	return s.Store.ApplyLoadBatch(evs, store.LoadRecord(p))
}

// LoadProgress is the progress of the last load the store holds.
func (s Destination) LoadProgress() (simulate.LoadProgress, bool, uint64, error) {
	rec, ok, seq, err := s.Store.LoadRecord()
	return simulate.LoadProgress(rec), ok, seq, err
}

// BeginLoadPipeline commits a load's batches one ahead (store.LoadPipeline).
func (s Destination) BeginLoadPipeline() (simulate.LoadPipeline, error) {
	p, err := s.Store.BeginLoad()
	if err != nil {
		return nil, err
	}
	return pipeline{p}, nil
}

// pipeline is the store's pipeline taking a load's progress.
type pipeline struct{ *store.LoadPipeline }

func (p pipeline) Apply(outs []domain.Outcome, evs []domain.Event, rec simulate.LoadProgress) ([]domain.Outcome, error) {
	return p.LoadPipeline.ApplyInto(outs, evs, store.LoadRecord(rec))
}
