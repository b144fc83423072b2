package store

import (
	"context"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
)

// Subscribe delivers a Change after every commit until ctx ends or the store
// closes; then the channel is closed. A slow reader gets changes merged, never
// a blocked writer: flags accumulate and Seq is the newest.
func (s *Store) Subscribe(ctx context.Context) <-chan Change {
	out := make(chan Change, 1)
	if s.ctx.Err() != nil { // closed
		close(out)
		return out
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	started := make(chan struct{})
	pending := make(chan Change, 1) // holds at most one merged change
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		defer close(pending)
		defer stop()
		defer cancel()
		close(started)
		_ = s.db.Subscribe(ctx, func(kvs *badger.KVList) error {
			var c Change
			for _, kv := range kvs.Kv {
				x, err := decodeChange(kv.Value)
				if err != nil {
					continue
				}
				c = merge(c, x)
			}
			select {
			case pending <- c:
			default:
				select {
				case old := <-pending:
					c = merge(old, c)
				default:
				}
				pending <- c
			}
			return nil
		}, []pb.Match{{Prefix: keyChange}})
	}()
	go func() {
		defer s.wg.Done()
		defer close(out)
		for c := range pending {
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	<-started
	return out
}

func merge(a, b Change) Change {
	return Change{
		Seq:           max(a.Seq, b.Seq),
		Ratings:       a.Ratings || b.Ratings,
		FollowUps:     a.FollowUps || b.FollowUps,
		Conversations: a.Conversations || b.Conversations,
		Settings:      a.Settings || b.Settings,
	}
}
