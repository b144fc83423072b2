package store

import (
	"time"

	"github.com/csat-app/csat/domain"
)

// EachEventSince is EventsSince as an event source (see EachEvent). A
// replay reads its source twice (once to find the conversations with late
// parts); the source finds the window's entries once for both, unless the
// store changed in between.
func (s *Store) EachEventSince(since time.Time) func(yield func(domain.Event) error) error {
	w := &window{s: s, since: since}
	return func(yield func(domain.Event) error) error {
		return w.each(func(_ uint64, ev domain.Event) error { return yield(ev) })
	}
}
