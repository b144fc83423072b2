package store

// Lists read a page at a time from their index keys (keyset paging): a page
// starts next to an item the reader already has, so reading page 1,000 costs
// what page 1 does, and no reader holds a whole list.

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// maxPage bounds the items one page read returns.
const maxPage = 1000

// PageQuery asks for up to Limit items of a list (newest first) next to an
// item: After it (older items), From it (that item and older ones), or
// Before it (newer items); none of them: the first page, or with Last the
// last one. Cursors come from an earlier [Page] of the same list.
type PageQuery struct {
	After, From, Before string
	Last                bool
	Limit               int
}

// Page is one page of a list, in list order: Cursors[i] is Items[i]'s place,
// to ask for the pages next to it. More says the list goes on past the page
// in the direction it was read (older for After, From and the first page,
// newer for Before and Last).
type Page[T any] struct {
	Items   []T
	Cursors []string
	More    bool
}

// span is the keys k with lo ≤ k < hi of one list; a list is newest
// (highest key) first unless oldestFirst.
type span struct {
	pre, lo, hi []byte
	oldestFirst bool
}

func wholeSpan(p byte) span {
	pre := prefix(p)
	return span{pre: pre, lo: pre, hi: append(append([]byte(nil), pre...), 0xff)}
}

func decodeCursor(c string, sp span) ([]byte, error) {
	k, err := hex.DecodeString(c)
	if err != nil || !bytes.HasPrefix(k, sp.pre) {
		return nil, fmt.Errorf("list position %q: not a position in this list", c)
	}
	return k, nil
}

// walkPage visits the keys of sp in list order (descending) from q's start,
// or in ascending order for Before and Last, until take has accepted
// q.Limit of them. It returns the accepted keys' cursors in visiting order
// and whether keys are left beyond the last one visited.
func walkPage(txn *badger.Txn, sp span, q PageQuery, take func(k []byte) (bool, error)) (cursors []string, more bool, err error) {
	limit := q.Limit
	if limit <= 0 || limit > maxPage {
		limit = maxPage
	}
	up := ascending(q) != sp.oldestFirst // reading keys upwards
	cursor, inclusive := q.After, false
	switch {
	case q.From != "":
		cursor, inclusive = q.From, true
	case q.Before != "":
		cursor = q.Before
	}
	var at []byte
	if cursor != "" {
		if at, err = decodeCursor(cursor, sp); err != nil {
			return nil, false, err
		}
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: sp.pre, Reverse: !up})
	defer it.Close()
	seek := sp.hi
	if up {
		seek = sp.lo
	}
	if at != nil && (up && bytes.Compare(at, sp.lo) > 0 || !up && bytes.Compare(at, sp.hi) < 0) {
		seek = at
	}
	for it.Seek(seek); it.ValidForPrefix(sp.pre); it.Next() {
		k := it.Item().Key()
		if bytes.Compare(k, sp.lo) < 0 || bytes.Compare(k, sp.hi) >= 0 {
			if up == (bytes.Compare(k, sp.hi) >= 0) {
				break // past the span's end
			}
			continue
		}
		if at != nil && !inclusive && bytes.Equal(k, at) || !up && at != nil && bytes.Compare(k, at) > 0 {
			continue
		}
		if len(cursors) == limit {
			return cursors, true, nil
		}
		ok, err := take(k)
		if err != nil {
			return cursors, false, err
		}
		if ok {
			cursors = append(cursors, hex.EncodeToString(k))
		}
	}
	return cursors, false, nil
}

// inListOrder reverses a page read against the list's order (Before, Last).
func inListOrder[T any](p *Page[T], ascending bool) {
	if !ascending {
		return
	}
	for i, j := 0, len(p.Items)-1; i < j; i, j = i+1, j-1 {
		p.Items[i], p.Items[j] = p.Items[j], p.Items[i]
		p.Cursors[i], p.Cursors[j] = p.Cursors[j], p.Cursors[i]
	}
}

// ascending says q reads against the list's order, towards its start.
func ascending(q PageQuery) bool {
	return q.Before != "" || q.Last && q.After == "" && q.From == ""
}

// ConversationPage reads a page of the conversation list, most recently
// updated first.
func (s *Store) ConversationPage(q PageQuery) (Page[ConversationSummary], error) {
	return s.SearchConversations(context.Background(), "", q)
}

// searchLooks is how many conversations a search reads between looks at
// its context.
const searchLooks = 64

// SearchConversations reads a page of the conversations that match text
// (case-insensitive, in the id, a customer, a rated agent or a comment; ""
// matches all), most recently updated first. It reads conversations until
// the page is full or the list ends, so a rare text reads the whole list:
// when ctx ends (the text was typed further, the list closed) it stops
// within searchLooks conversations and returns ctx.Err() and no page.
func (s *Store) SearchConversations(ctx context.Context, text string, q PageQuery) (Page[ConversationSummary], error) {
	if err := ctx.Err(); err != nil {
		return Page[ConversationSummary]{}, err
	}
	txn, st, done := s.snapshot()
	defer done()
	var p Page[ConversationSummary]
	needle := strings.ToLower(text)
	var err, stopped error
	read := 0
	p.Cursors, p.More, err = walkPage(txn, wholeSpan(pUpdated), q, func(k []byte) (bool, error) {
		if read++; read%searchLooks == 0 {
			if stopped = ctx.Err(); stopped != nil {
				return false, stopped
			}
		}
		if len(k) < 2+8 {
			return false, fmt.Errorf("list key %q: %w", k, errCorrupt)
		}
		id := string(k[10:])
		r, ok, err := getConversation(txn, id)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, fmt.Errorf("list names conversation %q, which is missing: %w", id, errCorrupt)
		}
		if needle != "" && !conversationMatches(&r, needle) {
			return false, nil
		}
		p.Items = append(p.Items, summarize(&r, st.latest))
		return true, nil
	})
	if stopped != nil {
		return Page[ConversationSummary]{}, stopped
	}
	inListOrder(&p, ascending(q))
	return p, err
}

// conversationMatches reports whether needle (lower case) is in the
// conversation's id, a customer, a slot's agent or a comment.
func conversationMatches(r *convRecord, needle string) bool {
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), needle) }
	if has(r.ID) {
		return true
	}
	for _, c := range r.Customers {
		if has(c.Name) {
			return true
		}
	}
	for i := range r.Slots {
		if has(r.Slots[i].Agent.Name) || has(r.Slots[i].Comment) {
			return true
		}
	}
	return false
}

// AchievementPage reads a page of the positive ratings, newest change first.
func (s *Store) AchievementPage(q PageQuery) (Page[Achievement], error) {
	txn, _, done := s.snapshot()
	defer done()
	var p Page[Achievement]
	var err error
	p.Cursors, p.More, err = walkPage(txn, wholeSpan(pAchieve), q, func(k []byte) (bool, error) {
		r, sl, err := slotOf(txn, k)
		if err != nil {
			return false, err
		}
		p.Items = append(p.Items, Achievement{Conv: r.ID, Agent: sl.Agent, Customer: customerOf(&r), Value: sl.Value, Comment: sl.Comment, At: sl.LastChangedAt})
		return true, nil
	})
	inListOrder(&p, ascending(q))
	return p, err
}

// AchievementCount is the number of positive ratings: the all-time
// counters', which count every rating by its current value, as the
// achievements index holds it.
func (s *Store) AchievementCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, c := range s.st.totals {
		for v := 1; v <= 5; v++ {
			if domain.ClassOf(v) == domain.ClassPositive {
				n += c.ByValue[v]
			}
		}
	}
	return n
}

// slotOf loads the conversation and slot an f/, a/, b/ or o/ key names.
func slotOf(txn *badger.Txn, k []byte) (convRecord, *domain.Slot, error) {
	var conv string
	var agent domain.Actor
	ok := false
	if k[0] == pByAgent || k[0] == pAgentFollowUp {
		agent, _, conv, ok = parseRatingKey(k)
	} else {
		_, conv, agent, ok = parseSlotKey(k)
	}
	if !ok {
		return convRecord{}, nil, fmt.Errorf("index key %q: %w", k, errCorrupt)
	}
	r, found, err := getConversation(txn, conv)
	if err != nil {
		return r, nil, err
	}
	if !found {
		return r, nil, fmt.Errorf("index names conversation %q, which is missing: %w", conv, errCorrupt)
	}
	sl := r.Slot(agent)
	if sl == nil {
		return r, nil, fmt.Errorf("index names a slot of %s in %q, which is missing: %w", agent, conv, errCorrupt)
	}
	return r, sl, nil
}

// AgentRating is one rating of an agent, as the teammate page lists it.
type AgentRating struct {
	Conv     string
	Customer domain.Actor
	Value    int
	Comment  string
	RatedAt  time.Time // first rated: the day it counts on
}

// AgentRatings reads a page of agent's ratings that count in p (first
// given in it; a zero From or To leaves that side open), newest first,
// from the ratings-by-agent index.
func (s *Store) AgentRatings(agent domain.Actor, p Period, q PageQuery) (Page[AgentRating], error) {
	return s.AgentRatingsOf(agent, p, domain.Filter{}, q)
}
