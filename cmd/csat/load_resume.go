package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// recordedEnd is the end of the unfinished load st holds, if any: a
// continuation without --end takes it, since the default (now) moves.
func recordedEnd(st *store.Store) (time.Time, bool, error) {
	rec, ok, _, err := st.LoadRecord()
	if err != nil || !ok || rec.Finished {
		return time.Time{}, false, err
	}
	return rec.End, true, nil
}

// explainUnfinished adds to a refusal for an unfinished load the command
// that continues it.
func explainUnfinished(err error, dir string) error {
	var u *simulate.UnfinishedLoadError
	if !errors.As(err, &u) {
		return err
	}
	r := u.Recorded
	return fmt.Errorf("%w\n  to continue it: csat simulate load --teammates %d --conversations %d --days %d --seed %d --end %s\n  or load into an empty --data-dir (this one: %s)",
		err, r.Teammates, r.Conversations, r.Days, r.Seed, r.End.UTC().Format(time.RFC3339), dir)
}

// continuedLine says, in a load's summary, that it continued an
// interrupted one and from where; "" for a load from the start.
func continuedLine(sum simulate.LoadSummary) string {
	if sum.Continued == 0 {
		return ""
	}
	return fmt.Sprintf("continued an interrupted load after its first %d events (drawn again in %v, not written again)\n",
		sum.Continued, sum.SkipTook.Round(time.Millisecond))
}
