package store

// The derived index keys of conversations: the list by last update, the
// follow-up candidates (by first rating and by agent), the achievements
// and the ratings by agent.

import (
	"bytes"

	"github.com/csat-app/csat/domain"
)

// writeConversations puts each touched conversation's record and moves its
// index keys from the state before the batch to the state after.
func (b *batch) writeConversations(w *txnWriter) error {
	b.wrote = b.wrote[:0]
	for _, id := range b.order {
		v, err := writeConversation(w, id, b.touched[id].before, b.ws.Conversations[id], b.partsOf(id), &b.scratch)
		if err != nil {
			return err
		}
		b.wrote = append(b.wrote, committedConv{id: id, val: v})
	}
	return nil
}

// committedConv is a conversation record a batch writes, kept for the
// writer's cache (conv_cache.go) until the commit lands.
type committedConv struct {
	id  string
	val []byte
}

// writeConversation puts conversation id's record, c with its parts, and
// moves its index keys from before (nil: new) to c. It returns the
// record's value, encoded in scratch and then copied at its size: the
// writer's cache holds it.
func writeConversation(w *txnWriter, id string, before *convRecord, c *domain.Conversation, parts *partList, scratch *[]byte) ([]byte, error) {
	after := convRecord{Conversation: *c, parts: *parts}
	*scratch = appendConversation((*scratch)[:0], &after)
	v := bytes.Clone(*scratch)
	if err := w.set(convKey(id), v); err != nil {
		return nil, err
	}
	dels, sets := indexDiff(before, &after)
	for _, k := range dels {
		if err := w.del(k); err != nil {
			return nil, err
		}
	}
	for _, k := range sets {
		if err := w.set(k, nil); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// indexKeys lists the index keys a conversation's state implies: its place
// in the list, and each rated slot's entries: by agent, and as a follow-up
// candidate (f/ and o/) and an achievement when it is one. Membership
// asks the domain (classes, queue entries); the threshold is applied on read.
func indexKeys(r *convRecord) [][]byte {
	keys := [][]byte{updatedKey(r.UpdatedAt, r.ID)}
	for i := range r.Slots {
		sl := &r.Slots[i]
		if sl.Value == 0 {
			continue
		}
		keys = append(keys, ratingKey(sl.Agent, sl.FirstRatedAt, r.ID))
		if sl.FollowUpCandidate() {
			keys = append(keys, slotKey(pFollowUp, sl.FirstRatedAt, r.ID, sl.Agent), agentFollowUpKey(sl.Agent, sl.FirstRatedAt, r.ID))
		}
		if domain.ClassOf(sl.Value) == domain.ClassPositive {
			keys = append(keys, slotKey(pAchieve, sl.LastChangedAt, r.ID, sl.Agent))
		}
	}
	return keys
}

// indexDiff says which index keys to delete and set when a conversation
// moves from before (nil: new) to after.
func indexDiff(before, after *convRecord) (dels, sets [][]byte) {
	var old [][]byte
	if before != nil {
		old = indexKeys(before)
	}
	now := indexKeys(after)
	for _, k := range old {
		if !containsKey(now, k) {
			dels = append(dels, k)
		}
	}
	for _, k := range now {
		if !containsKey(old, k) {
			sets = append(sets, k)
		}
	}
	return dels, sets
}

func containsKey(ks [][]byte, k []byte) bool {
	for _, x := range ks {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}
