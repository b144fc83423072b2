package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// damage applies changes to the stored keys behind the store's back.
func damage(t *testing.T, s *Store, fn func(txn *badger.Txn) error) {
	t.Helper()
	if err := s.db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func checkDiffs(t *testing.T, s *Store) string {
	t.Helper()
	diffs, err := s.Check(simulate.ReplayInto)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, d := range diffs {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n")
}

func wantDiffs(t *testing.T, got string, want ...string) {
	t.Helper()
	if n := strings.Count(got, "\n") + 1; got == "" || n != len(want) {
		t.Fatalf("%d differences, want %d:\n%s", n, len(want), got)
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("differences read\n%s\nwant %q", got, w)
		}
	}
}

// TestCheckListsDamagedConversationKeys: the families summed per group
// (conversations, their parts and indexes) are listed key by key when
// damaged: a missing list entry, a stray rating index entry, a changed
// conversation record and a missing part.
func TestCheckListsDamagedConversationKeys(t *testing.T) {
	s := openMem(t)
	if _, err := s.ApplyBatch(everyKind()); err != nil {
		t.Fatal(err)
	}
	if got := checkDiffs(t, s); got != "" {
		t.Fatalf("clean store: %s", got)
	}
	damage(t, s, func(txn *badger.Txn) error {
		c2, _, err := getConversation(txn, "c2")
		if err != nil {
			return err
		}
		if err := txn.Delete(updatedKey(c2.UpdatedAt, "c2")); err != nil {
			return err
		}
		if err := txn.Set(ratingKey(domain.Teammate("zed"), t0, "c9"), nil); err != nil {
			return err
		}
		c3, _, err := getConversation(txn, "c3")
		if err != nil {
			return err
		}
		c3.Chars += 7
		if err := txn.Set(convKey("c3"), encodeConversation(&c3)); err != nil {
			return err
		}
		return dropPart(txn, "c1", 4)
	})
	wantDiffs(t, checkDiffs(t, s),
		"conversation list entry of c2 at 2026-03-02T10:14:00Z: missing",
		"ratings-by-agent entry of zed in c9 at 2026-03-02T09:00:00Z: stored 0 bytes , but a replay has no such key",
		"conversation c3: stored {state open, 7 chars, 1 messages, slots [workflow=4 cy=2], parts [22 23 24 25 26 28]}, a replay has {state open, 0 chars,",
		"conversation c1: stored {state open, 640 chars, 2 messages, slots [bo=5], parts [5 6 7",
	)
}

// TestCheckNamesADifferentLoggedOutcome: a log entry whose recorded
// outcome is not the one the rules give is named by its sequence number.
func TestCheckNamesADifferentLoggedOutcome(t *testing.T) {
	s := openMem(t)
	if _, err := s.ApplyBatch(everyKind()); err != nil {
		t.Fatal(err)
	}
	damage(t, s, func(txn *badger.Txn) error {
		return refuseLoggedOutcome(txn, 11)
	})
	wantDiffs(t, checkDiffs(t, s), "log entry 11: stored")
}

// refuseLoggedOutcome rewrites log entry seq as if the rules had refused it.
func refuseLoggedOutcome(txn *badger.Txn, seq uint64) error {
	var ev domain.Event
	var o domain.Outcome
	if err := getValue(txn, seqKey(pLog, seq), func(v []byte) (err error) {
		ev, o, err = decodeLogEntry(v, seq)
		return err
	}); err != nil {
		return err
	}
	o.Decision = domain.DecisionRefused
	return txn.Set(seqKey(pLog, seq), encodeLogEntry(&ev, &o))
}

// TestCheckComparesKeysOfAnyFamily: a key of a family Check has no entry
// for is compared too, as one no replay writes.
func TestCheckComparesKeysOfAnyFamily(t *testing.T) {
	s := openMem(t)
	if _, err := s.ApplyBatch(everyKind()); err != nil {
		t.Fatal(err)
	}
	damage(t, s, func(txn *badger.Txn) error { return txn.Set([]byte("z/stray"), []byte("x")) })
	wantDiffs(t, checkDiffs(t, s), `"z/stray": stored 1 bytes 78, but a replay has no such key`)
}

// TestCheckHoldsOnlyOpenConversations: a conversation leaves the replay
// once its last part is replayed, so a log of many conversations, each
// over before the next begins, never holds more than a batch's worth.
func TestCheckHoldsOnlyOpenConversations(t *testing.T) {
	s := openMem(t)
	for i := range 40 {
		at := t0.Add(time.Duration(i) * time.Hour)
		id, cust := fmt.Sprintf("c%d", i), domain.User(fmt.Sprintf("u%d", i))
		var evs []domain.Event
		evs = append(evs, domain.Event{Kind: domain.EvStart, At: at, Conv: id, Actor: cust})
		for m := range 60 {
			evs = append(evs, domain.Event{Kind: domain.EvSay, At: at.Add(time.Duration(m) * time.Second), Conv: id, Actor: cust, Text: "hello there"})
		}
		evs = append(evs, domain.Event{Kind: domain.EvClose, At: at.Add(time.Minute), Conv: id, Actor: domain.Teammate("bo")})
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
	}
	most, calls := 0, 0
	replay := func(log func(yield func(domain.Event) error) error, into Replayer, onOutcome func(int, *domain.Outcome) error) error {
		return simulate.ReplayInto(log, watched{into, func() {
			calls++
			most = max(most, len(into.(*checkReplay).b.ws.Conversations))
		}}, onOutcome)
	}
	diffs, err := s.Check(replay)
	if err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
	// 2,480 events in batches of 2,000: at most two conversations are open
	// across a batch's end.
	if calls < 2 || most > 2 {
		t.Errorf("%d batches; at most %d conversations held, want ≤ 2", calls, most)
	}
}

// watched calls after once each batch is applied.
type watched struct {
	Replayer
	after func()
}

func (w watched) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	outs, err := w.Replayer.ApplyBatch(evs)
	w.after()
	return outs, err
}

// TestCheckListsAMissingLastPart: a conversation whose record lacks its
// last part leaves the replay early (the records say where a
// conversation ends); its next part brings it back, and only the record
// differs.
func TestCheckListsAMissingLastPart(t *testing.T) {
	s := openMem(t)
	if _, err := s.ApplyBatch(everyKind()); err != nil {
		t.Fatal(err)
	}
	// One event a batch, so that a conversation leaves the replay as soon
	// as it looks ended. c2's parts are seqs 17 to 21; c1's end at 16.
	diffs := func() string {
		ds, err := s.Check(oneByOne)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, d := range ds {
			lines = append(lines, d.String())
		}
		return strings.Join(lines, "\n")
	}
	if got := diffs(); got != "" {
		t.Fatalf("clean store: %s", got)
	}
	damage(t, s, func(txn *badger.Txn) error { return dropPart(txn, "c2", 21) })
	wantDiffs(t, diffs(), "conversation c2: stored")
	damage(t, s, func(txn *badger.Txn) error { return dropPart(txn, "c1", 16) })
	wantDiffs(t, diffs(), "conversation c2: stored", "conversation c1: stored")
}

// oneByOne is simulate's replay applying one event a batch: a check's
// replay then holds nothing of one batch in the next.
func oneByOne(log func(yield func(domain.Event) error) error, into Replayer, onOutcome func(int, *domain.Outcome) error) error {
	return simulate.ReplayInto(log, single{into}, onOutcome)
}

// single applies a batch one event at a time.
type single struct{ Replayer }

func (r single) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	var outs []domain.Outcome
	for _, ev := range evs {
		o, err := r.Replayer.ApplyBatch([]domain.Event{ev})
		if err != nil {
			return nil, err
		}
		outs = append(outs, o...)
	}
	return outs, nil
}

// TestCheckFindsDamageOnBothSides: the log and the conversations are
// compared beside the replay, the counters after it; damage to all three
// is found together, reported in key order, and the same on every check.
func TestCheckFindsDamageOnBothSides(t *testing.T) {
	s := openMem(t)
	if _, err := s.ApplyBatch(everyKind()); err != nil {
		t.Fatal(err)
	}
	bo := domain.Teammate("bo")
	c := s.AllTime(bo)
	c.ByValue[5] += 3
	if err := s.corruptCounter(bo, t0, c); err != nil {
		t.Fatal(err)
	}
	damage(t, s, func(txn *badger.Txn) error {
		if err := refuseLoggedOutcome(txn, 11); err != nil {
			return err
		}
		c3, _, err := getConversation(txn, "c3")
		if err != nil {
			return err
		}
		c3.Messages++
		return txn.Set(convKey("c3"), encodeConversation(&c3))
	})
	first := checkDiffs(t, s)
	wantDiffs(t, first, "counters of 2026-03-02 for bo", "log entry 11: stored", "conversation c3: stored")
	if !(strings.Index(first, "counters") < strings.Index(first, "log entry 11") && strings.Index(first, "log entry 11") < strings.Index(first, "conversation c3")) {
		t.Errorf("differences not in key order:\n%s", first)
	}
	for range 3 {
		if again := checkDiffs(t, s); again != first {
			t.Fatalf("a second check reads\n%s\nthe first\n%s", again, first)
		}
	}
}
