package store

import (
	"context"
	"errors"
	"testing"
)

// endsAfter is a context that ends once its Err has been asked n times:
// a search cancelled while it reads, at a point the test knows.
type endsAfter struct {
	context.Context
	n, asked int
}

func (c *endsAfter) Err() error {
	if c.asked++; c.asked > c.n {
		return context.Canceled
	}
	return nil
}

func (c *endsAfter) Done() <-chan struct{} { return nil }

// A search whose context ends, before it starts or while it reads,
// returns the context's error and no page at its next look at it, having
// read a few conversations at most, and changes nothing.
func TestSearchStopsWhenItsContextEnds(t *testing.T) {
	s, _ := randomStore(t, t.TempDir(), 12, 3000)
	seq := s.Seq()
	all, err := s.SearchConversations(context.Background(), "no conversation has this", PageQuery{Limit: maxPage})
	if err != nil || len(all.Items) != 0 || all.More {
		t.Fatalf("a search for nothing: %d found, more %v, %v", len(all.Items), all.More, err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if p, err := s.SearchConversations(cancelled, "no conversation has this", PageQuery{}); !errors.Is(err, context.Canceled) || len(p.Items) != 0 {
		t.Fatalf("a cancelled search: %d found, %v", len(p.Items), err)
	}
	ctx := &endsAfter{Context: context.Background(), n: 2}
	p, err := s.SearchConversations(ctx, "no conversation has this", PageQuery{})
	if !errors.Is(err, context.Canceled) || len(p.Items) != 0 || len(p.Cursors) != 0 {
		t.Fatalf("a search cancelled while it reads: %d found, %v", len(p.Items), err)
	}
	if ctx.asked != ctx.n+1 {
		t.Fatalf("the search asked its context %d times after it ended", ctx.asked-ctx.n-1)
	}
	if s.Seq() != seq {
		t.Fatalf("a search changed the store: seq %d, was %d", s.Seq(), seq)
	}
}
