package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// A time the store cannot hold as Unix nanoseconds, in any of an event's
// times, refuses its batch, naming the event, the field and the value,
// and writes nothing; the edges of the range are held exactly.
func TestTimesOutsideTheStoresRangeAreRefused(t *testing.T) {
	s := openMem(t)
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	start := func(at time.Time) domain.Event {
		return domain.Event{Kind: domain.EvStart, At: at, Conv: "c-" + at.Format("2006"), Actor: domain.User("ann")}
	}
	for _, c := range []struct {
		ev   domain.Event
		want string
	}{
		{start(date(1500, 3, 2)), "event 1 (start c-1500): time 1500-03-02T00:00:00Z: outside the times the store can hold (1678-01-01 to 2261-12-31)"},
		{start(date(1677, 12, 31)), "time 1677-12-31T00:00:00Z: outside"},
		{start(date(2262, 1, 1)), "time 2262-01-01T00:00:00Z: outside"},
		{start(time.Unix(0, 0)), "time 1970-01-01T00:00:00Z: outside the times the store can hold (it would read back as no time)"},
		{domain.Event{Kind: domain.EvSnooze, At: date(2026, 3, 2), Conv: "c-2026", Actor: domain.Teammate("bea"), Until: date(2300, 1, 1)}, "until 2300-01-01T00:00:00Z: outside"},
	} {
		evs := []domain.Event{start(date(2026, 3, 2)), c.ev}
		_, err := s.ApplyBatch(evs)
		var ee *EventError
		if !errors.Is(err, ErrTimeOutOfRange) || !errors.As(err, &ee) || ee.Index != 1 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s at %v: %v, want %q", c.ev.Kind, c.ev.At, err, c.want)
		}
		if s.Seq() != 0 {
			t.Fatalf("%s at %v: a refused batch wrote %d events", c.ev.Kind, c.ev.At, s.Seq())
		}
	}
	edges := []domain.Event{start(date(1678, 1, 1)), start(date(2262, 1, 1).Add(-time.Nanosecond))}
	if _, err := s.ApplyBatch(edges); err != nil {
		t.Fatalf("the range's edges: %v", err)
	}
	for _, ev := range edges {
		if c, ok := s.Conversation(ev.Conv); !ok || !c.StartedAt.Equal(ev.At) {
			t.Fatalf("%s started at %v, want %v", ev.Conv, c.StartedAt, ev.At)
		}
	}
}
