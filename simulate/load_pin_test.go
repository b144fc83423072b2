package simulate_test

import (
	"testing"
	"time"

	"github.com/csat-app/csat/simulate"
)

// The same flags and seed give the same data across versions too, not
// only within one: a change to how the generator holds its plans must not
// change a single event. The hash is of the stream a store receives
// (every event's fields, in order).
func TestLoadStreamIsPinned(t *testing.T) {
	cfg := simulate.LoadConfig{Teammates: 200, Conversations: 20000, Days: 66, Seed: 7,
		End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	r, sum := load(t, cfg)
	const want = "2bb5e5d3b0454b20bceeaf12f6bfbb46c0575efeb45c3f1c94cce97abfa3c407"
	if got := r.sum(); got != want {
		t.Fatalf("%d events hash to %s, want %s", sum.Events, got, want)
	}
}
