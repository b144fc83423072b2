package store

// The times the store can hold. A record or a key holds a time as Unix
// nanoseconds in an int64 (wire.go, keys.go), 0 standing for no time:
// outside about 1678 to 2262 the count overflows, and a scenario's clock
// of 1500 came back as 2084. An event with such a time is refused before
// the rules see it, as bad input, naming the field and the value.

import (
	"errors"
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
)

// ErrTimeOutOfRange is an event time the store cannot hold.
var ErrTimeOutOfRange = errors.New("outside the times the store can hold")

// The range of times held, from earliestTime to before latestTime: whole
// years inside what an int64 of nanoseconds counts (1677-09-21 to
// 2262-04-11), so that the message names plain dates.
var (
	earliestTime = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	latestTime   = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckTime refuses a time the store cannot hold: before earliestTime,
// at or after latestTime, or the Unix epoch itself, which reads back as
// no time. The zero time (no time) is held.
func CheckTime(t time.Time) error {
	switch {
	case t.IsZero():
		return nil
	case t.Before(earliestTime) || !t.Before(latestTime):
		return fmt.Errorf("%s: %w (%s to %s)", t.UTC().Format(time.RFC3339Nano), ErrTimeOutOfRange,
			earliestTime.Format(time.DateOnly), latestTime.Add(-time.Nanosecond).Format(time.DateOnly))
	case t.UnixNano() == 0:
		return fmt.Errorf("%s: %w (it would read back as no time)", t.UTC().Format(time.RFC3339Nano), ErrTimeOutOfRange)
	}
	return nil
}

// checkTimes refuses an event with a time the store cannot hold, naming
// the field.
func checkTimes(ev *domain.Event) error {
	for _, f := range [...]struct {
		name string
		t    time.Time
	}{{"time", ev.At}, {"until", ev.Until}, {"updated", ev.Updated}} {
		if err := CheckTime(f.t); err != nil {
			return fmt.Errorf("%s %w", f.name, err)
		}
	}
	return nil
}
