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
// rebuild replays the whole log, with replay (simulate.ReplayInto, as for
// Check).
func (s *Store) Forget(replay LogReplay, e domain.Erasure) (domain.Erased, error) {
	done, err := s.forget(replay, []domain.Erasure{e})
	if err != nil {
		return domain.Erased{}, err
	}
	return done[0], nil
}

// forget carries out erasures together: one rebuild for all of them, one
// record each. Any unknown target fails them all, changing nothing.
func (s *Store) forget(replay LogReplay, es []domain.Erasure) ([]domain.Erased, error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	for i := range es {
		if (es[i].Conversation == "") == (es[i].Customer == "") {
			return nil, errors.New("store: an erasure names a conversation or a customer, not both or neither")
		}
		if es[i].At.IsZero() {
			es[i].At = time.Now().UTC()
		}
	}
	if s.dir != "" {
		if err := checkForeignEntries(s.dir); err != nil {
			return nil, err
		}
	}
	x, err := s.Begin() // the write lock, held until the erasure is in place
	if err != nil {
		return nil, err
	}
	defer x.Discard()
	done, targets, err := s.planErasures(es)
	if err != nil {
		return nil, err
	}
	people := s.erasedPeople(es, targets)
	var record []domain.Event
	first, pending := s.Seq()+1, 0
	for i := range es {
		done[i].Seq = first + uint64(len(record))
		record = append(record, erasureEvents(es[i], done[i], es[i].At)...) // its own time: the store keeps no clock
		pending += done[i].Events
	}
	if pending == 0 {
		// Nothing left to remove (forgotten before): record the requests only.
		for _, ev := range record {
			if _, err := x.Apply(ev); err != nil {
				return nil, fmt.Errorf("recording the erasure: %w", err)
			}
		}
		return done, x.Commit()
	}
	if _, err := s.rebuild(replay, x, targets, people, record); err != nil {
		return nil, err
	}
	return done, nil
}

// planErasures finds each erasure's conversations and how many of their
// events still hold text (one pass over the log for all), and the union of
// the conversations.
func (s *Store) planErasures(es []domain.Erasure) ([]domain.Erased, map[string]bool, error) {
	done := make([]domain.Erased, len(es))
	targets := map[string]bool{}
	for i := range es {
		convs, err := s.erasureTargets(es[i])
		if err != nil {
			return nil, nil, err
		}
		done[i].Conversations = convs
		for _, c := range convs {
			targets[c] = true
		}
	}
	texts := map[string]int{}
	err := s.Events(0, func(_ uint64, ev domain.Event) error {
		if targets[ev.Conv] && !domain.IsRedacted(ev.Text) {
			texts[ev.Conv]++
		}
		return nil
	})
	for i := range done {
		for _, c := range done[i].Conversations {
			done[i].Events += texts[c]
		}
	}
	return done, targets, err
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

// erasedPeople are the customers the erasures name, as the targets'
// conversations hold them: their display names go too (names.go).
func (s *Store) erasedPeople(es []domain.Erasure, targets map[string]bool) map[domain.Actor]bool {
	people := map[domain.Actor]bool{}
	for _, e := range es {
		if e.Customer == "" {
			continue
		}
		match := customerMatcher(e.Customer)
		for conv := range targets {
			c, _ := s.Conversation(conv)
			for _, a := range c.Customers {
				if match(a) {
					people[a] = true
				}
			}
		}
	}
	return people
}

// customerMatcher reads user:NAME, lead:NAME, or a bare NAME for either.
func customerMatcher(spec string) func(domain.Actor) bool {
	if a, err := domain.ParseActor(spec); err == nil && a.IsCustomer() {
		return func(b domain.Actor) bool { return b == a }
	}
	return func(b domain.Actor) bool { return b.IsCustomer() && b.Name == spec }
}

// erasureEvents are the record of an erasure and its extra bookkeeping,
// all at the store clock, which they do not move.
func erasureEvents(e domain.Erasure, done domain.Erased, now time.Time) []domain.Event {
	key := erasedPrefix + erasureCore(e) + "/" + strconv.Itoa(done.Events) + "/" + strconv.Itoa(len(done.Conversations))
	return withExtra(domain.MarkEvent(forgetSource, []string{key}, now), e.Extra, now)
}

func withExtra(record domain.Event, extra []domain.Event, now time.Time) []domain.Event {
	evs := []domain.Event{record}
	for _, x := range extra {
		x.At = now
		evs = append(evs, x)
	}
	return evs
}

// erasureCore is what names an erasure in its keys: AT/WHAT/ID/BY.
func erasureCore(e domain.Erasure) string {
	what, id := "conversation", e.Conversation
	if id == "" {
		what, id = "customer", e.Customer
	}
	return strings.Join([]string{e.At.UTC().Format(time.RFC3339Nano), what, url.QueryEscape(id), url.QueryEscape(e.By)}, "/")
}

// parseCore reads the first four fields of a key back (erasureCore).
func parseCore(f []string) (domain.Erasure, bool) {
	if len(f) < 4 {
		return domain.Erasure{}, false
	}
	at, err1 := time.Parse(time.RFC3339Nano, f[0])
	id, err2 := url.QueryUnescape(f[2])
	by, err3 := url.QueryUnescape(f[3])
	if err1 != nil || err2 != nil || err3 != nil || f[1] != "conversation" && f[1] != "customer" {
		return domain.Erasure{}, false
	}
	e := domain.Erasure{At: at, By: by, Conversation: id}
	if f[1] == "customer" {
		e.Conversation, e.Customer = "", id
	}
	return e, true
}

// parseErasure reads an erasure record key back as an audit entry.
func parseErasure(key string) (AuditEntry, bool) {
	f := strings.Split(strings.TrimPrefix(key, erasedPrefix), "/")
	e, ok := parseCore(f)
	if !ok || len(f) != 6 {
		return AuditEntry{}, false
	}
	what, id := "conversation", e.Conversation
	if id == "" {
		what, id = "customer", e.Customer
	}
	return AuditEntry{
		At: e.At, By: e.By, Key: domain.SettingKey{Scope: "erasure", Name: what},
		New: fmt.Sprintf("%s: text of %s events in %s conversations forgotten", id, f[4], f[5]),
	}, true
}

// Audit lists settings changes and erasures, newest first (limit ≤ 0: all).
// An erasure reads as key erasure.conversation or erasure.customer, New
// naming the id and how much was forgotten.
func (s *Store) Audit(limit int) (_ []AuditEntry, err error) {
	defer recoverDamage(&err)
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

// askedPrefix starts the keys of erasures asked and not necessarily done
// yet (AskErasure): "asked/AT/WHAT/ID/BY", done once an "erased/" record
// with the same AT/WHAT/ID/BY exists.
const askedPrefix = "asked/"

// AskErasure records an erasure to be carried out later by ForgetAsked,
// for a feed that must answer before a rebuild could finish (a webhook):
// once it returns, the request survives any crash. e.Extra is committed
// with it. An unknown target is an error, and nothing is written.
func (s *Store) AskErasure(e domain.Erasure) error {
	if (e.Conversation == "") == (e.Customer == "") {
		return errors.New("store: an erasure names a conversation or a customer, not both or neither")
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	x, err := s.Begin()
	if err != nil {
		return err
	}
	defer x.Discard()
	if _, err := s.erasureTargets(e); err != nil {
		return err
	}
	for _, ev := range withExtra(domain.MarkEvent(forgetSource, []string{askedPrefix + erasureCore(e)}, e.At), e.Extra, e.At) {
		if _, err := x.Apply(ev); err != nil {
			return fmt.Errorf("recording the erasure asked: %w", err)
		}
	}
	return x.Commit()
}

// ForgetAsked carries out every erasure asked (AskErasure) and not done
// yet, all in one rebuild with replay (as for Forget). None asked: nothing
// happens.
func (s *Store) ForgetAsked(replay LogReplay) ([]domain.Erased, error) {
	done := map[string]bool{}
	err := s.Marks(forgetSource, erasedPrefix, func(key string) error {
		if f := strings.Split(key[len(erasedPrefix):], "/"); len(f) == 6 {
			done[strings.Join(f[:4], "/")] = true
		}
		return nil
	})
	var asked []domain.Erasure
	if err == nil {
		err = s.Marks(forgetSource, askedPrefix, func(key string) error {
			core := key[len(askedPrefix):]
			if e, ok := parseCore(strings.Split(core, "/")); ok && !done[core] {
				asked = append(asked, e)
			}
			return nil
		})
	}
	if err != nil || len(asked) == 0 {
		return nil, err
	}
	return s.forget(replay, asked)
}
