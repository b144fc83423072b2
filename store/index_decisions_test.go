package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// keyValuesUnder lists the keys and values under prefix p, one a line.
func keyValuesUnder(t *testing.T, s *Store, p byte) string {
	t.Helper()
	var b strings.Builder
	if err := s.view(func(txn *badger.Txn) error {
		return iterate(txn, prefix(p), func(k, v []byte) error {
			fmt.Fprintf(&b, "%q=%x\n", k, v)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// assertDecisionIndex checks the x/ and y/ keys against the log they
// index, worked out here on their own: an x/ entry for each logged close,
// ask, rating, comment and follow-up step, with its logged outcome and its
// conversation's start; a y/ key for each conversation, not a helpdesk's,
// with a part earlier than one logged before it.
func assertDecisionIndex(t *testing.T, s *Store, what string) {
	t.Helper()
	mem := openMem(t)
	starts := map[string]domain.Conversation{}
	late := domain.NewLateFinder()
	err := mem.db.Update(func(txn *badger.Txn) error {
		return s.EventsWithOutcomes(0, func(seq uint64, ev domain.Event, o domain.Outcome) error {
			if ev.Kind == domain.EvStart {
				starts[ev.Conv] = domain.Conversation{ID: ev.Conv, Origin: ev.Origin, Audience: domain.AudienceOf(ev.Actor), Helpdesk: ev.By}
			}
			if late.Late(ev) && starts[ev.Conv].Helpdesk == "" {
				if err := txn.Set(lateKey(ev.Conv), nil); err != nil {
					return err
				}
			}
			if c, ok := starts[ev.Conv]; ok && ev.Kind.ReadsSettings() && eventConv(ev) != "" {
				return txn.Set(decisionKey(ev.At, seq), encodeDecision(ev.Kind, &o, &c))
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []byte{pDecision, pLate} {
		if got, want := keyValuesUnder(t, s, p), keyValuesUnder(t, mem, p); got != want {
			t.Errorf("%s: %c/ keys\n%s\nwant (from the log)\n%s", what, p, firstDiff(got, want), firstDiff(want, got))
		}
	}
}

// Check replays the index of decisions too: a missing, a changed and a
// stray x/ entry, and a missing y/ key, are differences it names.
func TestCheckNamesDecisionIndexDifferences(t *testing.T) {
	s := openMem(t)
	deliverShuffled(t, s, withoutObserved(randomEvents(4, 300)), rand.New(rand.NewPCG(4, 1)))
	x, y := keysUnder(t, s, pDecision), keysUnder(t, s, pLate)
	if len(x) < 2 || len(y) == 0 {
		t.Fatalf("nothing to damage: %d x/ keys, %d y/ keys", len(x), len(y))
	}
	if got := checkDiffs(t, s); got != "" {
		t.Fatalf("clean store: %s", got)
	}
	damage(t, s, func(txn *badger.Txn) error {
		if err := txn.Delete([]byte(x[0])); err != nil {
			return err
		}
		item, err := txn.Get([]byte(x[1]))
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		v[2] ^= 3 // the decision: sent and skipped trade places
		if err := txn.Set([]byte(x[1]), v); err != nil {
			return err
		}
		if err := txn.Set(decisionKey(t0, 1<<40), v); err != nil {
			return err
		}
		return txn.Delete([]byte(y[0]))
	})
	entry := func(k string) string {
		return fmt.Sprintf("decision index entry %d at %s", readSeq([]byte(k[10:])), readTime([]byte(k[2:10])).Format(time.RFC3339))
	}
	wantDiffs(t, checkDiffs(t, s),
		entry(x[0])+": missing",
		entry(x[1])+": stored",
		entry(string(decisionKey(t0, 1<<40)))+": stored",
		"late conversation index entry of "+y[0][2:]+": missing",
	)
}

// toSchema8 makes a store what schema 8 wrote: no x/ or y/ keys. With
// leftovers, it keeps half the x/ keys and adds a stray x/ and y/ key,
// as an interrupted build followed by an older csat's writes could leave.
func toSchema8(t *testing.T, s *Store, leftovers bool) {
	t.Helper()
	unfoldParts(t, s)
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, p := range []byte{pDecision, pLate} {
			var keys [][]byte
			if err := eachKey(txn, prefix(p), prefix(p), func(k []byte) error { keys = append(keys, append([]byte(nil), k...)); return nil }); err != nil {
				return err
			}
			if leftovers && p == pDecision {
				keys = keys[len(keys)/2:]
			}
			for _, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
		}
		if leftovers {
			if err := txn.Set(decisionKey(genStart, 1<<40), []byte{recordFormat}); err != nil {
				return err
			}
			if err := txn.Set(lateKey("gone"), emptyValue); err != nil {
				return err
			}
		}
		return txn.Set(keySchema, encodeSchema(8))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A schema-8 store is refused by a read-only open, and a writable open
// builds exactly the x/ and y/ keys this build writes (late parts among
// them), then stamps schema 9; also after a build that stopped, and with
// so few starts kept that most conversations are read again from their
// parts.
func TestSchema8StoreGetsTheDecisionIndexAtAWritableOpen(t *testing.T) {
	for _, kept := range []int{startsKept, 3} {
		for _, leftovers := range []bool{false, true} {
			old := startsKept
			startsKept = kept
			s := upgradedAtWritableOpen(t, 6, leftovers, toSchema8)
			startsKept = old
			assertDecisionIndex(t, s, fmt.Sprintf("upgraded, %d starts kept, leftovers %v", kept, leftovers))
			if len(keysUnder(t, s, pLate)) == 0 {
				t.Error("no conversation with a late part: y/ untested")
			}
			s.Close()
		}
	}
}

// The what-if through the index reads only the conversations that read
// the overrides (and the newest): on a loaded workspace, with users'
// direct outbound surveys off, a small part of the window, with the same
// report.
func TestWhatIfOfDecisionsReadsOnlyTheReaders(t *testing.T) {
	s := openMem(t)
	cfg := simulate.LoadConfig{Teammates: 8, Conversations: 1200, Days: 40, Seed: 3, End: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := simulate.Load(context.Background(), s, cfg, nil); err != nil {
		t.Fatal(err)
	}
	since := s.Latest().AddDate(0, 0, -10)
	overrides := []simulate.Override{{Key: domain.SettingKey{Scope: "users", Name: "direct-outbound"}, Value: "off"}}
	idx, err := simulate.WhatIfOfDecisions(s.WhatIfWindow, overrides, since)
	if err != nil {
		t.Fatal(err)
	}
	window, err := simulate.WhatIf(s.EachEventSince(since), overrides, since)
	if err != nil {
		t.Fatal(err)
	}
	if idx.Events == 0 || idx.Events*4 > window.Events {
		t.Errorf("%d events read through the index, %d in the window: want a quarter or fewer", idx.Events, window.Events)
	}
	if window.NowSkipped == 0 {
		t.Fatal("the override changed nothing: nothing compared")
	}
	idx.Events, idx.Redecided, window.Events, window.Redecided = 0, 0, 0, 0
	if fmt.Sprint(idx) != fmt.Sprint(window) {
		t.Errorf("through the index\n%+v\nthrough the window\n%+v", idx, window)
	}
}

// A what-if ends at the newest conversation event a replay of its window
// would meet: an observed rating is none, so when the newest conversation
// ends with one, the conversations touched after its last other part are
// read too.
func TestWhatIfOfDecisionsEndsWhereTheWindowEnds(t *testing.T) {
	s := openMem(t)
	at := func(m int) time.Time { return time.Date(2026, 5, 1, 9, m, 0, 0, time.UTC) }
	long := strings.Repeat("a long enough answer ", 20)
	u, ann := domain.User("u1"), domain.Teammate("ann")
	evs := []domain.Event{
		{Kind: domain.EvStart, Conv: "h1", At: at(0), Actor: u, By: "intercom"},
		{Kind: domain.EvStart, Conv: "c1", At: at(1), Actor: u},
		{Kind: domain.EvSay, Conv: "h1", At: at(2), Actor: u, Text: long},
		{Kind: domain.EvSay, Conv: "c1", At: at(3), Actor: u, Text: long},
		{Kind: domain.EvSay, Conv: "c1", At: at(4), Actor: ann, Text: long},
		{Kind: domain.EvClose, Conv: "c1", At: at(5), Actor: ann},
		{Kind: domain.EvObserve, Conv: "h1", At: at(9), Actor: u, Agent: ann, Value: 4},
	}
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	overrides := []simulate.Override{{Key: domain.SettingKey{Scope: "leads", Name: "csat"}, Value: "off"}}
	for _, since := range []time.Time{at(1), at(6), at(20)} {
		idx, err := simulate.WhatIfOfDecisions(s.WhatIfWindow, overrides, since)
		if err != nil {
			t.Fatal(err)
		}
		all, err := simulate.WhatIfReplayingAll(s.EachEventSince(since), overrides, since)
		if err != nil {
			t.Fatal(err)
		}
		if !idx.Until.Equal(all.Until) {
			t.Errorf("since %s: until %s, a replay of the window ends at %s", since.Format(time.Kitchen), idx.Until.Format(time.Kitchen), all.Until.Format(time.Kitchen))
		}
	}
}
