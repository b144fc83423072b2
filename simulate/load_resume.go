package simulate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
)

// LoadProgress is where a load stands in a store: the config that shapes
// its stream (the batch size does not), the log's length when it began,
// and how many events of its stream are committed. Its fields are those
// of the store's record, so that one converts to the other.
type LoadProgress struct {
	Teammates, Conversations, Days int
	Seed                           int64
	End                            time.Time
	Base                           uint64 // the log's length when the load began
	Events                         uint64 // events of the stream committed
	Finished                       bool   // the stream's last event is among them
	// LastAt and LastConv are those of the last event committed: a
	// continuation checks that it regenerates the same stream.
	LastAt   time.Time
	LastConv string
	// Erasures counts the events of erasures' records logged since the
	// load began: bookkeeping, which a continuation goes on after.
	Erasures uint64
}

// ProgressLoader is a Loader that records a load's progress in the
// transaction of each batch, so that a load stopped anywhere (an
// interrupt, a kill, a crash) can be continued after exactly the events
// committed.
type ProgressLoader interface {
	Loader
	// ApplyLoadBatch commits evs with p, which counts them, in one transaction.
	ApplyLoadBatch(evs []domain.Event, p LoadProgress) ([]domain.Outcome, error)
	// LoadProgress is the last load's progress, if any, and the length of
	// the log, read together.
	LoadProgress() (p LoadProgress, ok bool, logLen uint64, err error)
}

// progressOf is cfg's progress before any of its events is committed.
func progressOf(cfg LoadConfig, base uint64) LoadProgress {
	return LoadProgress{Teammates: cfg.Teammates, Conversations: cfg.Conversations, Days: cfg.Days, Seed: cfg.Seed, End: cfg.End.UTC(), Base: base}
}

// differences lists the fields of the stream where p and q differ, as
// "name recorded (asked)"; none means they make the same stream.
func (p LoadProgress) differences(q LoadProgress) []string {
	var ds []string
	diff := func(name string, recorded, asked any) {
		if fmt.Sprint(recorded) != fmt.Sprint(asked) {
			ds = append(ds, fmt.Sprintf("%s %v (this load: %v)", name, recorded, asked))
		}
	}
	diff("teammates", p.Teammates, q.Teammates)
	diff("conversations", p.Conversations, q.Conversations)
	diff("days", p.Days, q.Days)
	diff("seed", p.Seed, q.Seed)
	diff("end", p.End.UTC().Format(time.RFC3339), q.End.UTC().Format(time.RFC3339))
	return ds
}

// UnfinishedLoadError refuses a load whose flags differ from those of an
// unfinished load the store holds: loading beside it would leave that
// load impossible to continue. Recorded is the unfinished load.
type UnfinishedLoadError struct {
	Recorded    LoadProgress
	Differences []string
}

func (e *UnfinishedLoadError) Error() string {
	return fmt.Sprintf("the store holds an unfinished load (%d events committed) whose flags differ from this one's: %s",
		e.Recorded.Events, strings.Join(e.Differences, ", "))
}

// ErrLoadRefused marks a load refused before it wrote anything: what the
// store holds makes it impossible (a load with these flags ran here, or an
// unfinished one it would spoil, or one it cannot continue).
var ErrLoadRefused = errors.New("load refused")

// refusedError is a refusal with its own words, which errors.Is finds as
// ErrLoadRefused.
type refusedError struct{ error }

func (e refusedError) Unwrap() error      { return e.error }
func (refusedError) Is(target error) bool { return target == ErrLoadRefused }

// refused marks err as ErrLoadRefused.
func refused(err error) error { return refusedError{err} }

// ContinuesAfter is the number of events of cfg's stream that dst holds
// from an interrupted load that Load would continue: 0 for a fresh load,
// or one Load refuses.
func ContinuesAfter(dst Loader, cfg LoadConfig) int {
	start, _, err := loadStart(dst, cfg)
	if err != nil {
		return 0
	}
	return int(start.Events)
}

// loadStart is where Load begins cfg's stream in dst: the progress
// recorded so far, whose Events dst holds already (none for a fresh
// load), and the store that records it (nil: dst records no progress).
// A store holding other data than an unfinished load of cfg is refused
// for a continuation, saying what differs.
func loadStart(dst Loader, cfg LoadConfig) (LoadProgress, ProgressLoader, error) {
	pl, ok := dst.(ProgressLoader)
	if !ok {
		return progressOf(cfg, 0), nil, nil
	}
	rec, found, logLen, err := pl.LoadProgress()
	if err != nil {
		return rec, nil, fmt.Errorf("reading the last load's record: %w", err)
	}
	refuse := func(err error) (LoadProgress, ProgressLoader, error) { return rec, nil, refused(err) }
	asked := progressOf(cfg, 0)
	differs := rec.differences(asked)
	switch {
	case !found:
	case rec.Finished && len(differs) == 0:
		return refuse(fmt.Errorf("this load (seed %d) already ran to its end here: %d events; nothing to continue (another --seed loads beside it)", cfg.Seed, rec.Events))
	case rec.Finished:
	case len(differs) > 0 && rec.Base == 0 && rec.Events+rec.Erasures == logLen:
		return refuse(&UnfinishedLoadError{Recorded: rec, Differences: differs})
	case len(differs) > 0:
		// An unfinished load that other data already made impossible to
		// continue does not hold up another.
	case rec.Base > 0:
		return refuse(fmt.Errorf("the interrupted load began on a store that held %d events of other data: only a load into an empty store can be continued", rec.Base))
	case rec.Events+rec.Erasures != logLen:
		return refuse(fmt.Errorf("the interrupted load committed %d events%s, but the store holds %d: other data was written after it, so it can no longer be continued", rec.Events, erasuresNote(rec.Erasures), logLen))
	default:
		return rec, pl, nil
	}
	return progressOf(cfg, logLen), pl, nil
}

// erasuresNote names the events of erasures' records a load's count
// leaves out, if any.
func erasuresNote(n uint64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" and erasures logged %d more", n)
}

// skipCommitted draws the first n events of gen's stream, which dst
// holds already, writing nothing: it folds their outcomes (the shadow's,
// which are the store's) into w's summary, and checks that the last one
// is the one the record names.
func skipCommitted(ctx context.Context, gen *loadGen, w *loadWriter, rec LoadProgress) error {
	n := rec.Events
	// The store holds them, also if this is interrupted.
	w.sum.Events, w.sum.Continued = int(n), int(n)
	var last domain.Event
	for i := uint64(0); i < n; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ev, ok, err := gen.next()
		if err != nil {
			return err
		}
		if !ok {
			return refused(fmt.Errorf("the stream of these flags has %d events, but the interrupted load recorded %d: it was written by a csat whose stream differs; continue it with that csat", i, n))
		}
		w.observe(&ev, &gen.outcome)
		last = ev
	}
	if n > 0 && (!last.At.Equal(rec.LastAt) || last.Conv != rec.LastConv) {
		return refused(fmt.Errorf("event %d of the stream is %s %q at %s, but the interrupted load recorded %q at %s: it was written by a csat whose stream differs; continue it with that csat",
			n, last.Kind, last.Conv, last.At.Format(time.RFC3339), rec.LastConv, rec.LastAt.Format(time.RFC3339)))
	}
	w.faces()
	return nil
}
