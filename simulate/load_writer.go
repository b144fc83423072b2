package simulate

import (
	"context"
	"fmt"

	"github.com/csat-app/csat/domain"
)

// loadWriter commits batches and folds their outcomes into the summary.
type loadWriter struct {
	dst   Loader
	sum   *LoadSummary
	tally *domain.Tally
	batch []domain.Event
	size  int
	// recorder, when not nil, records progress with each batch: rec is
	// the progress committed so far.
	recorder ProgressLoader
	rec      LoadProgress
}

// flush commits the batch; last says it ends the stream.
func (w *loadWriter) flush(ctx context.Context, last bool) error {
	if len(w.batch) == 0 {
		return nil
	}
	// Checked before, never during, a commit: an interrupt loses the batch
	// being built, whole, and never splits one.
	if err := ctx.Err(); err != nil {
		return err
	}
	outs, err := w.apply(last)
	if err != nil {
		return fmt.Errorf("writing a batch of %d events: %w", len(w.batch), err)
	}
	for i := range outs {
		w.observe(&w.batch[i], &outs[i])
	}
	w.faces()
	w.sum.Events += len(w.batch)
	w.batch = w.batch[:0]
	return nil
}

// apply commits the batch, with the progress it makes when recording.
func (w *loadWriter) apply(last bool) ([]domain.Outcome, error) {
	if w.recorder == nil {
		return w.dst.ApplyBatch(w.batch)
	}
	rec := progressAfter(w.rec, w.batch, last)
	outs, err := w.recorder.ApplyLoadBatch(w.batch, rec)
	if err == nil {
		w.rec = rec
	}
	return outs, err
}

func (w *loadWriter) observe(ev *domain.Event, o *domain.Outcome) {
	s := w.sum
	w.tally.Observe(o)
	switch {
	case ev.Kind == domain.EvStart:
		s.Conversations++
	case ev.Kind == domain.EvClose || ev.Kind == domain.EvAsk:
		if ev.Kind == domain.EvClose {
			s.Closes++
		} else {
			s.Asks++
		}
		if o.Decision == domain.DecisionSent {
			s.Sent++
			break
		}
		s.SkippedSurveys++
		for _, r := range o.Reasons() {
			s.Skipped[r.Code]++
		}
	case o.Decision == domain.DecisionRefused:
		for _, r := range o.Reasons() {
			s.Refused[r.Code]++
		}
	case ev.Kind == domain.EvRate && o.Decision == domain.DecisionAccepted && o.Rating.Old != 0 && o.Rating.Changed():
		s.Changed++
	case ev.Kind == domain.EvComment && o.Decision == domain.DecisionAccepted:
		s.Comments++
	case ev.Kind == domain.EvFollowUp:
		s.FollowUps++
	}
}

// faces recounts the ratings as they stand, from the tally domain keeps.
func (w *loadWriter) faces() {
	w.sum.RatingsByFace = [6]int{}
	for _, c := range w.tally.Agents {
		for v := 1; v <= 5; v++ {
			w.sum.RatingsByFace[v] += c.ByValue[v]
		}
	}
}
