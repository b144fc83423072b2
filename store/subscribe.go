package store

import "context"

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
	feed := make(chan Change, 1) // holds at most one merged change
	s.subMu.Lock()
	defer s.subMu.Unlock()
	if s.ctx.Err() != nil { // closed
		close(feed)
		return feed
	}
	if s.subs == nil {
		s.subs = map[chan Change]func() bool{}
	}
	s.subs[feed] = context.AfterFunc(ctx, func() {
		s.subMu.Lock()
		defer s.subMu.Unlock()
		if _, ok := s.subs[feed]; ok {
			delete(s.subs, feed)
			close(feed)
		}
	})
	return feed
}

// announce hands a commit's change to every feed without waiting: a full
// feed gets it merged into the change its reader has not taken yet. Only
// announce sends, under subMu, so after taking the old change the feed has
// room for the merged one.
func (s *Store) announce(c Change) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for feed := range s.subs {
		select {
		case feed <- c:
		case old := <-feed:
			feed <- merge(old, c)
		}
	}
}

// closeFeeds ends every feed; Close calls it.
func (s *Store) closeFeeds() {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for feed, stop := range s.subs {
		stop()
		close(feed)
	}
	s.subs = nil
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
