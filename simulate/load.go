package simulate

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/csat-app/csat/domain"
)

// Load writes cfg's synthetic history into dst in batches. progress, if not
// nil, is called after each batch with the events of the stream written so
// far and an estimate of the total that becomes exact on the last call.
// Cancelling ctx stops it between batches: a batch is committed whole or
// not at all. A dst that offers a pipeline (PipelineLoader) applies each
// batch while the one before commits; progress still counts only batches
// committed.
//
// A dst that records progress (ProgressLoader) gets it with every batch,
// and a load of the same cfg on a dst holding an unfinished one continues
// its stream after the events committed (loadStart says when): it draws
// them again, writing nothing, calls progress once with their number, and
// goes on, so that the store ends as one uninterrupted load leaves it.
// The summary then counts the whole stream, and Continued says from where.
func Load(ctx context.Context, dst Loader, cfg LoadConfig, progress func(done, total int)) (LoadSummary, error) {
	sum := LoadSummary{Skipped: ReasonCounts{}, Refused: ReasonCounts{}}
	if err := cfg.Validate(); err != nil {
		return sum, err
	}
	start, recorder, err := loadStart(dst, cfg)
	if err != nil {
		return sum, err
	}
	settings := dst.Settings()
	if start.Events > 0 {
		settings = domain.DefaultSettings() // those of the empty store it began on
	}
	gen := newLoadGen(cfg, settings, false)
	// Conversations share no clock, so a history of any dates loads beside
	// what the store holds; only its conversation ids must be new.
	if first := gen.prefix + "0"; cfg.Conversations > 0 && start.Events == 0 {
		if _, taken := dst.Conversation(first); taken {
			return sum, refused(fmt.Errorf("conversation %q is already stored (a load with seed %d ran here): choose another --seed", first, cfg.Seed))
		}
	}
	var tally domain.Tally
	w := &loadWriter{dst: dst, sum: &sum, tally: &tally, size: cfg.BatchSize, recorder: recorder, rec: start}
	if w.size == 0 {
		w.size = DefaultBatchSize
	}
	if start.Events > 0 {
		began := time.Now()
		if err := skipCommitted(ctx, gen, w, start); err != nil {
			return sum, err
		}
		sum.SkipTook = time.Since(began)
		if progress != nil {
			progress(sum.Events, estimateTotal(cfg, gen.admitted, sum.Events))
		}
	}
	stop := make(chan struct{})
	defer close(stop)
	free := make(chan []domain.Event, 2)
	batches := generateAhead(gen, w.size, free, stop)
	written := func(b aheadBatch) {
		select {
		case free <- b.evs[:0]:
		default:
		}
		if progress != nil && !b.last {
			progress(sum.Events, estimateTotal(cfg, b.admitted, sum.Events))
		}
		if cfg.Holding != nil {
			cfg.Holding(b.holding)
		}
	}
	write := w.writeEach
	if pl, ok := recorder.(PipelineLoader); ok {
		write = func(ctx context.Context, batches <-chan aheadBatch, written func(aheadBatch)) error {
			return w.writeAhead(ctx, pl, batches, written)
		}
	}
	if cfg.Holding != nil {
		// Once Load returns the generator is garbage: it holds nothing.
		defer cfg.Holding(0)
	}
	if err := write(ctx, batches, written); err != nil {
		return sum, err
	}
	if progress != nil {
		progress(sum.Events, sum.Events)
	}
	return sum, nil
}

// aheadBatch is a batch the generator made ahead of the writer, with the
// conversations admitted by then (for the progress estimate) and what the
// generator held for those in flight (for LoadConfig.Holding).
type aheadBatch struct {
	evs      []domain.Event
	admitted int
	holding  int64
	last     bool // the stream ends with it
	err      error
}

// generateAhead runs the generator in a goroutine of its own, one batch
// ahead of the writer, so that the next batch is drawn while the store
// commits this one. The stream does not depend on what the store decides
// (the generator learns the rules' decisions from its own shadow), so the
// data is the same event for event. The writer hands each batch's buffer
// back on free; closing stop ends the goroutine.
func generateAhead(gen *loadGen, size int, free chan []domain.Event, stop <-chan struct{}) <-chan aheadBatch {
	out := make(chan aheadBatch, 1)
	go func() {
		defer close(out)
		// A full batch goes once the event after it is drawn, so that
		// the batch that ends the stream says so also when it is full
		// and the stream ends without a closing event (a zero End).
		var next domain.Event
		held := false
		for done := false; !done; {
			var b aheadBatch
			select {
			case b.evs = <-free:
			default:
				b.evs = make([]domain.Event, 0, size)
			}
			b.evs = b.evs[:0]
			if held {
				b.evs, held = append(b.evs, next), false
			}
			for {
				ev, ok, err := gen.next()
				if err != nil {
					b.err = err
				}
				if err != nil || !ok {
					break
				}
				if len(b.evs) == size {
					next, held = ev, true
					break
				}
				b.evs = append(b.evs, ev)
			}
			b.last = !held
			done = b.last
			b.admitted = gen.admitted
			b.holding = gen.heldBytes()
			if len(b.evs) == 0 && b.err == nil {
				return
			}
			select {
			case out <- b:
			case <-stop:
				return
			}
		}
	}()
	return out
}

// LoadLive keeps producing realistic traffic at about eventsPerSecond, with
// timestamps from now(), until ctx ends. cfg gives the team and the seed;
// its Conversations, Days and End do not limit live traffic. Events go in small batches, one per
// tick; an interrupt commits the batch in flight or none of it. It returns
// nil when ctx ends, or the first write error.
func LoadLive(ctx context.Context, dst Loader, cfg LoadConfig, eventsPerSecond float64, now func() time.Time) error {
	if cfg.Teammates < 1 || cfg.Teammates > MaxLoadTeammates {
		return fmt.Errorf("teammates %d: want 1..%d", cfg.Teammates, MaxLoadTeammates)
	}
	if !(eventsPerSecond > 0) || eventsPerSecond > 1e6 {
		return fmt.Errorf("live rate %v events/s: want more than 0 and at most 1000000", eventsPerSecond)
	}
	if now == nil {
		now = time.Now
	}
	gen := newLoadGen(cfg, dst.Settings(), true)
	// The customers are those of the history; the conversations never run out.
	gen.cfg.Conversations = 0
	var last time.Time // the stamps only move forward
	// Ids carry the start time, to the nanosecond, so that two live runs never
	// collide, even when a killed run is restarted within the same second; a
	// prefix the store already holds is skipped all the same.
	stamp := now().UnixNano()
	for {
		gen.prefix = "live" + strconv.FormatInt(stamp, 36) + "-"
		if _, taken := dst.Conversation(gen.prefix + "0"); !taken {
			break
		}
		stamp++
	}
	gen.stamp = func(time.Time) time.Time {
		if t := now().UTC(); t.After(last) {
			last = t
		}
		return last
	}
	// A tick of 100 ms keeps a trickle smooth; at slow rates an event may wait
	// for a few ticks to accumulate.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	started := time.Now()
	emitted := 0
	batch := make([]domain.Event, 0, 64)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		due := int(eventsPerSecond*time.Since(started).Seconds()) - emitted
		if due > 10000 {
			due = 10000 // a stall (a suspended laptop) is not made up in one burst
			emitted = int(eventsPerSecond*time.Since(started).Seconds()) - due
		}
		batch = batch[:0]
		for len(batch) < due {
			ev, ok, err := gen.next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			batch = append(batch, ev)
		}
		if len(batch) == 0 {
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		if _, err := dst.ApplyBatch(batch); err != nil {
			return fmt.Errorf("live load: %w", err)
		}
		emitted += len(batch)
	}
}
