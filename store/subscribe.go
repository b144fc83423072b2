package store

import "context"

// subscriber is one live feed: pending holds at most one merged change, so
// a slow reader never blocks a commit.
type subscriber struct {
	pending chan Change
}

// Subscribe delivers a Change after every commit until ctx ends or the store
// closes; then the channel is closed. A slow reader gets changes merged, never
// a blocked writer: flags accumulate and Seq is the newest.
//
// The feed is registered before Subscribe returns, so a reader that
// subscribes and then reads never misses a commit that lands after its read.
// (Badger's own Subscribe registered later, on its goroutine: a commit in
// that gap went unannounced until the next one.) Only commits of this Store
// are announced: Badger serves one process.
func (s *Store) Subscribe(ctx context.Context) <-chan Change {
	out := make(chan Change, 1)
	sub := &subscriber{pending: make(chan Change, 1)}
	s.subMu.Lock()
	if s.ctx.Err() != nil { // closed
		s.subMu.Unlock()
		close(out)
		return out
	}
	if s.subs == nil {
		s.subs = map[*subscriber]struct{}{}
	}
	s.subs[sub] = struct{}{}
	s.wg.Add(1)
	s.subMu.Unlock()

	go func() {
		defer s.wg.Done()
		defer close(out)
		defer func() {
			s.subMu.Lock()
			delete(s.subs, sub)
			s.subMu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.ctx.Done():
				return
			case c := <-sub.pending:
				select {
				case out <- c:
				case <-ctx.Done():
					return
				case <-s.ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// announce hands a commit's change to every feed without waiting: a full
// feed gets it merged into the change it has not taken yet. Commits are
// serialized, so each feed has one sender.
func (s *Store) announce(c Change) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for sub := range s.subs {
		select {
		case sub.pending <- c:
		case old := <-sub.pending:
			sub.pending <- merge(old, c)
		}
	}
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
