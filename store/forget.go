package store

// Erasure ("right to be forgotten"). Forget replaces the text of the
// events of a conversation, or of every conversation of a customer, by
// same-length placeholders (domain.Redact), so the rules decide exactly as
// before and every count and score stays. Badger keeps overwritten values
// in its tables, value log and memtable logs until compactions it decides
// on, so rewriting keys in place leaves the old text on disk for an
// unknown time. Forget therefore rebuilds: it replays the redacted log into
// a fresh store in a sibling directory, which never saw the text, and
// swaps the two directories in one atomic exchange (rebuild.go). A kill at
// any moment leaves the data directory either the old store or the new
// one; the other, in the sibling, is removed before Forget returns or at
// the next writable open.

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
)

// forgetSource is the mark source of erasure records: one key per
// erasure, "erased/AT/WHAT/ID/BY/EVENTS/CONVERSATIONS" (escaped), so the
// log says who erased what and when, without the text.
const forgetSource = "forget"

const erasedPrefix = "erased/"

// Forget erases the text of e's conversation or customer from the state,
// the log and every file of the data directory, and records the erasure
// (who, what, when, how many events) in the log and the audit trail. A
// target that has no text left is only recorded. An unknown conversation or
// customer is an error (domain.ErrUnknownConversation,
// domain.ErrUnknownCustomer) and changes nothing. Writes wait meanwhile: a
// rebuild replays the whole log.
func (s *Store) Forget(e domain.Erasure) (domain.Erased, error) {
	if s.readOnly {
		return domain.Erased{}, ErrReadOnly
	}
	if (e.Conversation == "") == (e.Customer == "") {
		return domain.Erased{}, errors.New("store: an erasure names a conversation or a customer, not both or neither")
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	if err := s.upgradeMarks(); err != nil {
		return domain.Erased{}, err
	}
	if s.dir != "" {
		if err := checkForeignEntries(s.dir); err != nil {
			return domain.Erased{}, err
		}
	}
	x, err := s.Begin() // the write lock, held until the erasure is in place
	if err != nil {
		return domain.Erased{}, err
	}
	defer x.Discard()
	convs, err := s.erasureTargets(e)
	if err != nil {
		return domain.Erased{}, err
	}
	targets := map[string]bool{}
	for _, c := range convs {
		targets[c] = true
	}
	pending, err := s.unredacted(targets)
	if err != nil {
		return domain.Erased{}, err
	}
	done := domain.Erased{Conversations: convs, Events: pending}
	record := erasureEvents(e, done, x.Now())
	if pending == 0 {
		// Nothing left to remove (forgotten before): record the request only.
		done.Seq = s.Seq() + 1
		for _, ev := range record {
			if _, err := x.Apply(ev); err != nil {
				return domain.Erased{}, fmt.Errorf("recording the erasure: %w", err)
			}
		}
		return done, x.Commit()
	}
	seq, err := s.rebuild(x, targets, record)
	if err != nil {
		return domain.Erased{}, err
	}
	done.Seq = seq
	return done, nil
}

// erasureTargets lists the conversations an erasure names, in id order.
func (s *Store) erasureTargets(e domain.Erasure) ([]string, error) {
	where := s.dir
	if where == "" {
		where = "the in-memory store"
	}
	if e.Conversation != "" {
		if _, ok := s.Conversation(e.Conversation); !ok {
			return nil, fmt.Errorf("%w %q in %s: nothing was changed", domain.ErrUnknownConversation, e.Conversation, where)
		}
		return []string{e.Conversation}, nil
	}
	match := customerMatcher(e.Customer)
	var convs []string
	err := s.EachConversation(func(c domain.Conversation, _ time.Time) error {
		for _, a := range c.Customers {
			if match(a) {
				convs = append(convs, c.ID)
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(convs) == 0 {
		return nil, fmt.Errorf("%w %q in %s: no conversation has that customer; nothing was changed", domain.ErrUnknownCustomer, e.Customer, where)
	}
	sort.Strings(convs)
	return convs, nil
}

// customerMatcher reads user:NAME, lead:NAME, or a bare NAME for either.
func customerMatcher(spec string) func(domain.Actor) bool {
	if a, err := domain.ParseActor(spec); err == nil && a.IsCustomer() {
		return func(b domain.Actor) bool { return b == a }
	}
	return func(b domain.Actor) bool { return b.IsCustomer() && b.Name == spec }
}

// unredacted counts the events of the targets whose text is not yet a placeholder.
func (s *Store) unredacted(targets map[string]bool) (int, error) {
	n := 0
	err := s.Events(0, func(_ uint64, ev domain.Event) error {
		if targets[ev.Conv] && !domain.IsRedacted(ev.Text) {
			n++
		}
		return nil
	})
	return n, err
}

// erasureEvents are the record of an erasure and its extra bookkeeping,
// all at the store clock, which they do not move.
func erasureEvents(e domain.Erasure, done domain.Erased, now time.Time) []domain.Event {
	what, id := "conversation", e.Conversation
	if id == "" {
		what, id = "customer", e.Customer
	}
	key := erasedPrefix + strings.Join([]string{
		e.At.UTC().Format(time.RFC3339Nano), what, url.QueryEscape(id), url.QueryEscape(e.By),
		strconv.Itoa(done.Events), strconv.Itoa(len(done.Conversations)),
	}, "/")
	evs := []domain.Event{domain.MarkEvent(forgetSource, []string{key}, now)}
	for _, x := range e.Extra {
		x.At = now
		evs = append(evs, x)
	}
	return evs
}

// parseErasure reads an erasure record key back as an audit entry.
func parseErasure(key string) (AuditEntry, bool) {
	f := strings.Split(strings.TrimPrefix(key, erasedPrefix), "/")
	if len(f) != 6 {
		return AuditEntry{}, false
	}
	at, err1 := time.Parse(time.RFC3339Nano, f[0])
	id, err2 := url.QueryUnescape(f[2])
	by, err3 := url.QueryUnescape(f[3])
	if err1 != nil || err2 != nil || err3 != nil {
		return AuditEntry{}, false
	}
	return AuditEntry{
		At: at, By: by, Key: domain.SettingKey{Scope: "erasure", Name: f[1]},
		New: fmt.Sprintf("%s: text of %s events in %s conversations forgotten", id, f[4], f[5]),
	}, true
}

// Audit lists settings changes and erasures, newest first (limit ≤ 0: all).
// An erasure reads as key erasure.conversation or erasure.customer, New
// naming the id and how much was forgotten.
func (s *Store) Audit(limit int) ([]AuditEntry, error) {
	out, err := s.settingsAudit(limit)
	if err != nil {
		return out, err
	}
	err = s.Marks(forgetSource, erasedPrefix, func(key string) error {
		if a, ok := parseErasure(key); ok {
			out = append(out, a)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}
