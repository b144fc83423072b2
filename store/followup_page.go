package store

import "strings"

// FollowUpPage reads a page of the follow-up queue in its order, oldest
// first rating first, from the f/ index (one agent's from their ratings
// in the b/ index): what [Store.FollowUps] lists, a page at a time. A
// page reads candidates until it holds q.Limit items, so a rare Text
// reads far.
func (s *Store) FollowUpPage(f FollowUpFilter, q PageQuery) (_ Page[FollowUpItem], err error) {
	defer recoverDamage(&err)
	txn, st, done := s.snapshot()
	defer done()
	sp := wholeSpan(pFollowUp)
	if !f.Agent.IsZero() {
		pre := agentRatingPrefix(f.Agent)
		sp = span{pre: pre, lo: pre, hi: append(append([]byte(nil), pre...), 0xff)}
	}
	sp.oldestFirst = true
	words := strings.Fields(strings.ToLower(f.Text))
	var p Page[FollowUpItem]
	p.Cursors, p.More, err = walkPage(txn, sp, q, func(k []byte) (bool, error) {
		r, sl, err := slotOf(txn, k)
		if err != nil {
			return false, err
		}
		it, ok := followUpItem(&r, sl, &st, f)
		if !ok || !hasWords(words, it.Agent.Name, it.Customer.String(), it.Comment, it.Conv, it.FollowUp.By) {
			return false, nil
		}
		p.Items = append(p.Items, it)
		return true, nil
	})
	inListOrder(&p, ascending(q))
	return p, err
}

// hasWords says whether every word (lower case) is in one of fields.
func hasWords(words []string, fields ...string) bool {
	if len(words) == 0 {
		return true
	}
	hay := strings.ToLower(strings.Join(fields, " "))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}
