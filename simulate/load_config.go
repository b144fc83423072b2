package simulate

import (
	"errors"
	"fmt"
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
	// BatchSize is how many events go into one ApplyBatch; 0 means DefaultBatchSize.
	BatchSize int
	// Holding, when set, is told after each batch about how many
	// bytes the generator holds for its conversations in flight
	// (load_held.go), and 0 once Load returns, so that a caller's memory
	// budget can keep the store's share apart from them. It changes no
	// event. Load calls it from its own goroutine, after each batch
	// committed.
	Holding func(bytes int64)
}

// DefaultBatchSize is the number of events committed together when
// LoadConfig.BatchSize is 0: big enough to amortise a transaction, small
// enough that an interrupted load loses little, and that the store commits
// it in one transaction (Badger allows 15% of its 8 MiB memtable, about
// 1.2 MB; 5,000 generated events were about 1.3 MB, so every batch was
// journaled and applied a second time, in parts).
const DefaultBatchSize = 2000

// Limits on LoadConfig, so that a typo cannot ask for years of work.
const (
	MaxLoadTeammates     = 10000
	MaxLoadConversations = 100_000_000
	MaxLoadDays          = 36500
)

// LoadSummary counts what a load produced, from the outcomes the
// destination returned.
type LoadSummary struct {
	Events        int
	Conversations int // conversations started
	Closes, Asks  int
	Sent          int
	// SkippedSurveys counts closes and asks that sent nothing; Skipped counts
	// each failed rule of those, so one skip can count under several codes.
	SkippedSurveys int
	Skipped        ReasonCounts
	// RatingsByFace holds the ratings as they stand at the end, by value 1..5.
	RatingsByFace [6]int
	Changed       int // accepted changes of an existing rating
	Comments      int // accepted comments
	Refused       ReasonCounts
	FollowUps     int // follow-up steps taken by admins
	// Continued is the number of events of the stream an interrupted load
	// had committed, which this one drew again without writing, in
	// SkipTook; 0 for a load from the start.
	Continued int
	SkipTook  time.Duration
}

// ReasonCounts counts reason codes.
type ReasonCounts map[domain.Code]int

// Codes lists the codes present, in RULES.md order.
func (r ReasonCounts) Codes() []domain.Code {
	var cs []domain.Code
	for _, c := range domain.AllCodes() {
		if r[c] != 0 {
			cs = append(cs, c)
		}
	}
	return cs
}

// Total sums the counts.
func (r ReasonCounts) Total() int {
	n := 0
	for _, v := range r {
		n += v
	}
	return n
}

// Validate reports the first field of cfg that is out of range, naming it.
func (cfg LoadConfig) Validate() error {
	switch {
	case cfg.Teammates < 1 || cfg.Teammates > MaxLoadTeammates:
		return fmt.Errorf("teammates %d: want 1..%d", cfg.Teammates, MaxLoadTeammates)
	case cfg.Conversations < 0 || cfg.Conversations > MaxLoadConversations:
		return fmt.Errorf("conversations %d: want 0..%d", cfg.Conversations, MaxLoadConversations)
	case cfg.Days < 1 || cfg.Days > MaxLoadDays:
		return fmt.Errorf("days %d: want 1..%d", cfg.Days, MaxLoadDays)
	case cfg.BatchSize < 0:
		return fmt.Errorf("batch size %d: want 0 (default) or more", cfg.BatchSize)
	case cfg.End.IsZero():
		return errors.New("end time is not set")
	}
	return nil
}

// Begin is when the generated history starts: Days before End.
func (cfg LoadConfig) Begin() time.Time {
	return cfg.End.Add(-time.Duration(cfg.Days) * 24 * time.Hour)
}

// OneByOne turns any Backend into a Loader whose ApplyBatch applies events
// one at a time. It is not atomic: on an error the events before the bad one
// stay applied. Meant for in-memory backends, which are thrown away on error.
func OneByOne(b Backend) Loader { return oneByOne{b} }

type oneByOne struct{ Backend }

func (l oneByOne) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	outs := make([]domain.Outcome, 0, len(evs))
	for i, ev := range evs {
		o, err := l.Apply(ev)
		if err != nil {
			return outs, fmt.Errorf("event %d (%s %s): %w", i, ev.Kind, ev.Conv, err)
		}
		outs = append(outs, o)
	}
	return outs, nil
}
