package simulate

import (
	"context"
	"fmt"

	"github.com/csat-app/csat/domain"
)

// PipelineLoader is a ProgressLoader that commits a load's batches one
// ahead: each is applied while the one before commits, so that the rules
// and the store's writes run side by side.
type PipelineLoader interface {
	ProgressLoader
	// BeginLoadPipeline starts one; it is the loader's only writer until
	// its Close.
	BeginLoadPipeline() (LoadPipeline, error)
}

// LoadPipeline takes a load's batches in order. Apply applies one on top
// of the batch in flight and returns its outcomes, in outs[:0] when that
// has room (the caller's buffer, which it no longer reads); Settle waits
// until the batch in flight has committed (nil) or not; Send sends the
// applied one to commit. A batch is committed whole or not at all, never
// after one that failed. Close settles and releases the loader.
type LoadPipeline interface {
	Apply(outs []domain.Outcome, evs []domain.Event, p LoadProgress) ([]domain.Outcome, error)
	Settle() error
	Send() error
	Close() error
}

// writeEach commits the batches one at a time; written is called after
// each commit.
func (w *loadWriter) writeEach(ctx context.Context, batches <-chan aheadBatch, written func(aheadBatch)) error {
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		w.batch = b.evs
		if err := w.flush(ctx, b.last); err != nil {
			return err
		}
		written(b)
	}
	return nil
}

// sentBatch is a batch sent to commit, with its outcomes and the
// progress it records.
type sentBatch struct {
	aheadBatch
	outs []domain.Outcome
	rec  LoadProgress
}

// writeAhead commits the batches through a pipeline: each is applied while
// the one before commits, and counted in the summary (and passed to
// written) once it has. On any error, or when ctx ends between batches,
// the batch in flight is settled first, so that the summary counts
// exactly the batches committed.
func (w *loadWriter) writeAhead(ctx context.Context, pl PipelineLoader, batches <-chan aheadBatch, written func(aheadBatch)) (err error) {
	pipe, err := pl.BeginLoadPipeline()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := pipe.Close(); err == nil {
			err = cerr
		}
	}()
	var sent *sentBatch
	// spare is the outcomes of the last batch committed, read: the next
	// batch's outcomes go there.
	var spare []domain.Outcome
	settle := func() error {
		if err := pipe.Settle(); err != nil {
			if sent != nil {
				return fmt.Errorf("writing a batch of %d events: %w", len(sent.evs), err)
			}
			return err
		}
		if sent != nil {
			w.committed(sent)
			written(sent.aheadBatch)
			spare, sent = sent.outs, nil
		}
		return nil
	}
	next := w.rec
	for b := range batches {
		stop := b.err
		if stop == nil {
			// Checked before, never during, a commit: an interrupt loses
			// the batch being built, whole, and never splits one.
			stop = ctx.Err()
		}
		if stop != nil {
			if err := settle(); err != nil {
				return err
			}
			return stop
		}
		rec := progressAfter(next, b.evs, b.last)
		outs, err := pipe.Apply(spare, b.evs, rec)
		spare = nil
		if serr := settle(); serr != nil {
			return serr
		}
		if err != nil {
			return fmt.Errorf("writing a batch of %d events: %w", len(b.evs), err)
		}
		if err := ctx.Err(); err != nil {
			return err // an interrupt while it was applied: never sent
		}
		if err := pipe.Send(); err != nil {
			return err
		}
		sent, next = &sentBatch{aheadBatch: b, outs: outs, rec: rec}, rec
	}
	return settle()
}

// committed folds a committed batch into the summary.
func (w *loadWriter) committed(b *sentBatch) {
	for i := range b.outs {
		w.observe(&b.evs[i], &b.outs[i])
	}
	w.faces()
	w.sum.Events += len(b.evs)
	w.rec = b.rec
}

// progressAfter is the progress rec records once evs, the batch after
// it, is committed; last says evs ends the stream.
func progressAfter(rec LoadProgress, evs []domain.Event, last bool) LoadProgress {
	end := &evs[len(evs)-1]
	rec.Events += uint64(len(evs))
	rec.Finished, rec.LastAt, rec.LastConv = last, end.At, end.Conv
	return rec
}
