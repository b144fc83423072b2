package simulate

import (
	"fmt"
	"testing"

	"github.com/csat-app/csat/domain"
)

// The batches the generator makes ahead are its stream, cut at the batch
// size, and the last one, only that one, says it ends the stream: also
// when the stream ends without a closing clock event (a zero End) and
// its length is a multiple of the batch size.
func TestGenerateAheadMarksTheBatchThatEndsTheStream(t *testing.T) {
	cfg := LoadConfig{Teammates: 4, Conversations: 25, Days: 3, Seed: 2}
	var stream []domain.Event
	for g := newLoadGen(cfg, domain.DefaultSettings(), false); ; {
		ev, ok, err := g.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		stream = append(stream, ev)
	}
	n := len(stream)
	if n < 20 || stream[n-1].Kind == domain.EvClock {
		t.Fatalf("a stream of %d events ending with %v: want one without a closing clock event", n, stream[n-1].Kind)
	}
	sizes := []int{n, n - 1, n + 1, 1}
	for d := 2; d < n; d++ {
		if n%d == 0 {
			sizes = append(sizes, d, n/d)
			break
		}
	}
	for _, size := range sizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			stop := make(chan struct{})
			defer close(stop)
			var got []domain.Event
			batches, lasts := 0, 0
			for b := range generateAhead(newLoadGen(cfg, domain.DefaultSettings(), false), size, make(chan []domain.Event), stop) {
				if b.err != nil {
					t.Fatal(b.err)
				}
				if lasts > 0 {
					t.Fatalf("batch %d after the one that ended the stream", batches+1)
				}
				if len(b.evs) != size && !b.last {
					t.Errorf("batch %d: %d events, want %d", batches+1, len(b.evs), size)
				}
				batches++
				if b.last {
					lasts++
				}
				got = append(got, b.evs...)
			}
			if lasts != 1 {
				t.Errorf("%d batches of %d events (a stream of %d): %d say they end it, want the last", batches, size, n, lasts)
			}
			if fmt.Sprint(got) != fmt.Sprint(stream) {
				t.Errorf("the batches hold %d events, not the stream of %d", len(got), n)
			}
		})
	}
}
