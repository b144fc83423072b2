package store

// The follow-ups-by-agent index: o/KIND LEN NAME TIME(8) CONV, one key per
// follow-up candidate (the f/ slots), keyed by its agent first. A
// teammate's open follow-ups are then read from their own candidates
// (their bad and negative ratings, and those with follow-up work), not
// from all their ratings (b/), each of which costs a conversation load. It moves with f/: both come from indexKeys,
// so a batch, a late part's rebuild and an erasure's replay keep them
// together.

import (
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// agentFollowUpPrefix begins every o/ key of agent: kind, name length, name.
func agentFollowUpPrefix(agent domain.Actor) []byte {
	return appendAgentPrefix(make([]byte, 0, agentPrefixLen(agent)), pAgentFollowUp, agent)
}

// agentFollowUpKey is a follow-up candidate's place in the o/ index: by
// the time the rating was first given, as in f/.
func agentFollowUpKey(agent domain.Actor, at time.Time, conv string) []byte {
	return appendAgentKey(make([]byte, 0, agentKeyLen(agent, conv)), pAgentFollowUp, agent, at, conv)
}

// agentFollowUps walks agent's follow-up candidates, oldest first rating
// first, loading each slot's conversation.
func agentFollowUps(txn *badger.Txn, agent domain.Actor, fn func(r *convRecord, sl *domain.Slot) (more bool, err error)) error {
	pre := agentFollowUpPrefix(agent)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
	defer it.Close()
	for it.Seek(pre); it.ValidForPrefix(pre); it.Next() {
		r, sl, err := slotOf(txn, it.Item().Key())
		if err != nil {
			return err
		}
		if more, err := fn(&r, sl); err != nil || !more {
			return err
		}
	}
	return nil
}
