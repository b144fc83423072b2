package store

// An agent's ratings narrowed by channel, audience and origin, for a
// teammate page under the leaderboard's filter.

import "github.com/csat-app/csat/domain"

// AgentRatingsOf is AgentRatings of the conversations f matches. A page
// may walk past many ratings of other segments to fill itself: the index
// is by agent and time, not by segment.
func (s *Store) AgentRatingsOf(agent domain.Actor, p Period, f domain.Filter, q PageQuery) (Page[AgentRating], error) {
	txn, _, done := s.snapshot()
	defer done()
	pre := agentRatingPrefix(agent)
	sp := span{pre: pre, lo: pre, hi: append(append([]byte(nil), pre...), 0xff)}
	if !p.From.IsZero() {
		sp.lo = appendTime(append([]byte(nil), pre...), p.From)
	}
	if !p.To.IsZero() {
		sp.hi = appendTime(append([]byte(nil), pre...), p.To)
	}
	var page Page[AgentRating]
	var err error
	page.Cursors, page.More, err = walkPage(txn, sp, q, func(k []byte) (bool, error) {
		r, sl, err := slotOf(txn, k)
		if err != nil || !f.Matches(domain.SegmentOf(&r.Conversation)) {
			return false, err
		}
		page.Items = append(page.Items, AgentRating{Conv: r.ID, Customer: customerOf(&r), Value: sl.Value, Comment: sl.Comment, RatedAt: sl.FirstRatedAt})
		return true, nil
	})
	inListOrder(&page, ascending(q))
	return page, err
}
