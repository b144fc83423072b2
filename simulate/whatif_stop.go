package simulate

import (
	"context"
	"time"

	"github.com/csat-app/csat/domain"
)

// stopEvery is how many decisions or events a Stoppable window reads
// between looks at its context.
const stopEvery = 1024

// Stoppable is window, stopping with ctx's error once ctx ends: a wide
// what-if of a large store replays for many seconds (43 s on the
// realistic 1M store on a busy machine), and whoever asked for it (the
// dashboard closing, Ctrl-C on the command line) must not wait for it.
// Once ctx ends, decided is called no more, and the events stop at the
// next look. look, when not nil, is called at the start and at every look
// with the decisions read and the events replayed so far (a progress
// line).
func Stoppable(ctx context.Context, window DecisionWindow, look func(decisions, events int)) DecisionWindow {
	if look == nil {
		look = func(int, int) {}
	}
	return func(since time.Time, decided func(*domain.Event, *domain.Outcome, *domain.Conversation, bool) bool) (func(func(domain.Event, bool, bool) error) error, func(), error) {
		look(0, 0)
		read, stopped := 0, false
		events, release, err := window(since, func(ev *domain.Event, o *domain.Outcome, c *domain.Conversation, late bool) bool {
			if read++; read%stopEvery == 0 {
				stopped = ctx.Err() != nil
				look(read, 0)
			}
			return !stopped && decided(ev, o, c, late)
		})
		if err != nil {
			return nil, nil, err
		}
		if err := ctx.Err(); err != nil {
			release()
			return nil, nil, err
		}
		return func(yield func(domain.Event, bool, bool) error) error {
			n := 0
			return events(func(ev domain.Event, last, late bool) error {
				if n++; n%stopEvery == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
					look(read, n)
				}
				return yield(ev, last, late)
			})
		}, release, nil
	}
}
