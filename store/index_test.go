package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// keysUnder lists the keys under prefix p, in order.
func keysUnder(t *testing.T, s *Store, p byte) []string {
	t.Helper()
	var ks []string
	if err := s.view(func(txn *badger.Txn) error {
		return eachKey(txn, prefix(p), prefix(p), func(k []byte) error { ks = append(ks, string(k)); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return ks
}

// assertIndexes checks the schema-6 indexes against what they index: w/
// names exactly the log entries of no conversation; o/ holds exactly the
// f/ keys with the agent first; one agent's follow-ups (read from o/) are
// those of the whole queue (read from f/) that are theirs.
func assertIndexes(t *testing.T, s *Store, what string) {
	t.Helper()
	assertDecisionIndex(t, s, what)
	var wantW []string
	if err := s.Events(0, func(seq uint64, ev domain.Event) error {
		if eventConv(ev) == "" {
			wantW = append(wantW, string(workspaceEventKey(seq)))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := keysUnder(t, s, pWorkspace); !slices.Equal(got, wantW) {
		t.Errorf("%s: w/ keys %d, want %d (the log entries of no conversation)", what, len(got), len(wantW))
	}
	var wantO []string
	for _, k := range keysUnder(t, s, pFollowUp) {
		at, conv, agent, ok := parseSlotKey([]byte(k))
		if !ok {
			t.Fatalf("%s: f/ key %q", what, k)
		}
		wantO = append(wantO, string(agentFollowUpKey(agent, at, conv)))
	}
	slices.Sort(wantO)
	if got := keysUnder(t, s, pAgentFollowUp); !slices.Equal(got, wantO) {
		t.Errorf("%s: o/ keys\n%q\nwant (f/ by agent)\n%q", what, got, wantO)
	}
	for _, resolved := range []bool{false, true} {
		all, err := s.FollowUps(FollowUpFilter{IncludeResolved: resolved})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range s.Agents() {
			var want []FollowUpItem
			for _, it := range all {
				if it.Agent == a {
					want = append(want, it)
				}
			}
			got, err := s.FollowUps(FollowUpFilter{Agent: a, IncludeResolved: resolved})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: follow-ups of %s (resolved %v): %d items, the queue has %d of theirs", what, a, resolved, len(got), len(want))
			}
		}
	}
}

func randomEvents(seed uint64, n int) []domain.Event {
	g := newRandomStream(seed)
	var evs []domain.Event
	for len(evs) < n {
		ev, _ := g.next()
		evs = append(evs, ev)
	}
	return evs
}

// The w/ and o/ keys follow every way the store writes: batches in
// order, parts delivered late (a conversation rebuilt), an erasure's
// replay; and a reopened store reads them back.
func TestIndexesFollowEveryWrite(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		evs := randomEvents(seed, 300)
		dir := t.TempDir()
		s := openDir(t, dir)
		for i := 0; i < len(evs); i += 37 {
			if _, err := s.ApplyBatch(evs[i:min(i+37, len(evs))]); err != nil {
				t.Fatal(err)
			}
		}
		assertIndexes(t, s, fmt.Sprintf("seed %d, in order", seed))
		if _, err := s.Forget(simulate.ReplayInto, domain.Erasure{Customer: "u1", By: "dpo"}); err != nil {
			t.Fatal(err)
		}
		assertIndexes(t, s, fmt.Sprintf("seed %d, after an erasure", seed))
		s.Close()
		s = openDir(t, dir)
		assertIndexes(t, s, fmt.Sprintf("seed %d, reopened", seed))
		s.Close()

		late := openDir(t, t.TempDir())
		deliverShuffled(t, late, evs, rand.New(rand.NewPCG(seed, 1)))
		assertIndexes(t, late, fmt.Sprintf("seed %d, late parts", seed))
		if diffs, err := late.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
			t.Errorf("seed %d: check with late parts: %v %v", seed, err, diffs)
		}
		late.Close()
	}
}

// Check replays the indexes too: a missing or extra w/ or o/ key is a
// difference it names.
func TestCheckNamesIndexDifferences(t *testing.T) {
	s := openMem(t)
	if _, err := s.ApplyBatch(randomEvents(3, 300)); err != nil {
		t.Fatal(err)
	}
	o, w := keysUnder(t, s, pAgentFollowUp), keysUnder(t, s, pWorkspace)
	if len(o) == 0 || len(w) == 0 {
		t.Fatalf("nothing to damage: %d o/ keys, %d w/ keys", len(o), len(w))
	}
	if err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete([]byte(o[0])); err != nil {
			return err
		}
		return txn.Delete([]byte(w[0]))
	}); err != nil {
		t.Fatal(err)
	}
	diffs, err := s.Check(simulate.ReplayInto)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(diffs)
	for _, want := range []string{"follow-ups-by-agent entry of", "workspace event index entry"} {
		if !bytes.Contains([]byte(got), []byte(want)) {
			t.Errorf("check: %s; want a difference naming a %s", got, want)
		}
	}
}

// toSchema5 makes a store what schema 5 wrote: no w/ or o/ keys. With
// leftovers, it keeps some w/ keys and adds an o/ key that f/ does not
// back, as an interrupted build followed by an older csat's writes leave.
func toSchema5(t *testing.T, s *Store, leftovers bool) {
	t.Helper()
	unfoldParts(t, s)
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, p := range []byte{pWorkspace, pAgentFollowUp} {
			var keys [][]byte
			if err := eachKey(txn, prefix(p), prefix(p), func(k []byte) error { keys = append(keys, append([]byte(nil), k...)); return nil }); err != nil {
				return err
			}
			if leftovers && p == pWorkspace {
				keys = keys[len(keys)/2:]
			}
			for _, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
		}
		if leftovers {
			if err := txn.Set(agentFollowUpKey(domain.Teammate("alice"), genStart, "gone"), emptyValue); err != nil {
				return err
			}
		}
		return txn.Set(keySchema, encodeSchema(5))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A schema-5 store is refused by a read-only open, without a byte
// changed, and a writable open builds exactly the w/ and o/ keys this
// build writes, then stamps schema 6; also after a build that stopped.
func TestSchema5StoreGetsTheIndexesAtAWritableOpen(t *testing.T) {
	for _, leftovers := range []bool{false, true} {
		s := upgradedAtWritableOpen(t, 5, leftovers, toSchema5)
		assertIndexes(t, s, "upgraded")
		s.Close()
	}
}

// upgradedAtWritableOpen writes a random stream (seed) into a store,
// makes it what an older schema wrote (down, with leftovers as an
// interrupted upgrade followed by an older csat's writes leave), and
// checks that a read-only open refuses it without a byte changed, and
// that a writable open makes it exactly the store this build writes, at
// this schema, which Check passes. It returns the upgraded store, open.
func upgradedAtWritableOpen(t *testing.T, seed uint64, leftovers bool, down func(*testing.T, *Store, bool)) *Store {
	t.Helper()
	dir := t.TempDir()
	s := openDir(t, dir)
	evs := randomEvents(seed, 400)
	deliverShuffled(t, s, evs, rand.New(rand.NewPCG(seed, 2)))
	want := dumpKeys(t, s)
	down(t, s, leftovers)
	if dumpKeys(t, s) == want {
		t.Fatal("the downgrade changed nothing")
	}
	s.Close()
	before := dirSums(t, dir)
	if ro, err := Open(Options{Dir: dir, ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
		if err == nil {
			ro.Close()
		}
		t.Fatalf("read-only open of an older store: %v, want ErrOlderSchema", err)
	}
	if after := dirSums(t, dir); !reflect.DeepEqual(after, before) {
		t.Fatal("the refused read-only open changed the files")
	}
	s = openDir(t, dir)
	if got := dumpKeys(t, s); got != want {
		t.Fatalf("leftovers %v: after the upgrade the store differs from one this build wrote:\n%s", leftovers, firstDiff(got, want))
	}
	if v := storedSchema(t, s); v != schemaVersion {
		t.Errorf("schema %d after the upgrade, want %d", v, schemaVersion)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Errorf("check after the upgrade: %v %v", diffs, err)
	}
	return s
}

func storedSchema(t *testing.T, s *Store) uint64 {
	t.Helper()
	var v uint64
	if err := s.db.View(func(txn *badger.Txn) error {
		return getValue(txn, keySchema, func(b []byte) (err error) { v, err = decodeSchema(b); return err })
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// EventsSince gives the workspace events and the whole of each
// conversation touched in the window, in log order; past the newest
// event, the newest conversation still; from the first event, the log.
func TestEventsSinceReadsTheWorkspaceEventsAndTheConversationsTouched(t *testing.T) {
	s := openMem(t)
	day := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var evs []domain.Event
	for i := range 3 {
		at := day.Add(time.Duration(i) * 24 * time.Hour)
		conv := fmt.Sprintf("c%d", i)
		evs = append(evs,
			domain.Event{Kind: domain.EvStart, At: at, Conv: conv, Actor: domain.User("u" + conv)},
			domain.Event{Kind: domain.EvSay, At: at.Add(time.Minute), Conv: conv, Actor: domain.Teammate("ann"), Text: "hello there, how can I help"},
		)
		if i == 1 {
			evs = append(evs, domain.Event{Kind: domain.EvSet, At: at.Add(2 * time.Minute), Setting: domain.SettingKey{Scope: "workspace", Name: "target"}, Text: "4.5"})
		}
	}
	last := day.Add(48 * time.Hour)
	evs = append(evs, domain.Event{Kind: domain.EvSay, At: last.Add(time.Hour), Conv: "c0", Actor: domain.User("uc0"), Text: "one more thing"})
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	since := func(at time.Time) string {
		var got []string
		if err := s.EventsSince(at, func(seq uint64, ev domain.Event) error {
			got = append(got, fmt.Sprintf("%d %s %s", seq, ev.Kind, ev.Conv))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got)
	}
	all := "[1 start c0 2 say c0 3 start c1 4 say c1 5 set  6 start c2 7 say c2 8 say c0]"
	for _, c := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"the last day", last, "[1 start c0 2 say c0 5 set  6 start c2 7 say c2 8 say c0]"},
		{"past the newest event", last.Add(48 * time.Hour), "[1 start c0 2 say c0 5 set  8 say c0]"},
		{"the first event", day, all},
		{"the zero time", time.Time{}, all},
	} {
		if got := since(c.at); got != c.want {
			t.Errorf("EventsSince(%s) = %s, want %s", c.name, got, c.want)
		}
	}
}

// The what-if of a window read through EventsSince counts exactly what
// the what-if over the whole log counts, for any window and overrides,
// with parts delivered late, and on the load generator's workspace.
func TestWhatIfOfTheWindowEqualsTheWholeLog(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		evs := withoutObserved(randomEvents(seed, 400))
		s := openMem(t)
		if seed%2 == 0 {
			deliverShuffled(t, s, evs, r)
		} else if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
		compareWindows(t, s, r, evs[0].At, fmt.Sprintf("seed %d", seed))
	}
	s := openMem(t)
	cfg := simulate.LoadConfig{Teammates: 8, Conversations: 1500, Days: 60, Seed: 11, End: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := simulate.Load(context.Background(), s, cfg, nil); err != nil {
		t.Fatal(err)
	}
	compareWindows(t, s, rand.New(rand.NewPCG(11, 99)), cfg.End.AddDate(0, 0, -cfg.Days), "load")
}

// withoutObserved leaves out observed ratings, and the events that then no
// longer apply: a what-if replays no observed rating (they are a
// helpdesk's facts), and an import writes them only in a helpdesk's
// conversations, which the random streams do not start.
func withoutObserved(evs []domain.Event) []domain.Event {
	ws := domain.NewWorkspace()
	var out []domain.Event
	for _, ev := range evs {
		if ev.Kind == domain.EvObserve {
			continue
		}
		if _, err := ws.Apply(ev); err == nil {
			out = append(out, ev)
		}
	}
	return out
}

// compareWindows runs what-ifs of random windows, half of them within the
// last ten days, under random overrides, over the window and over the log.
func compareWindows(t *testing.T, s *Store, r *rand.Rand, first time.Time, what string) {
	t.Helper()
	last := s.Latest()
	counted := 0
	for trial := 0; trial < 8; trial++ {
		since := first.Add(time.Duration(r.Int64N(int64(last.Sub(first)) + int64(time.Hour))))
		if trial%2 == 1 {
			since = last.Add(-time.Duration(r.Int64N(int64(10 * 24 * time.Hour))))
		}
		var overrides []simulate.Override
		for _, k := range genSettingKeys {
			if r.IntN(4) == 0 {
				key, _ := domain.ParseSettingKey(k)
				overrides = append(overrides, simulate.Override{Key: key, Value: genSettings[k][r.IntN(len(genSettings[k]))]})
			}
		}
		whole, errW := simulate.WhatIf(s.EachEvent, overrides, since)
		window, errS := simulate.WhatIf(s.EachEventSince(since), overrides, since)
		if errW != nil || errS != nil {
			t.Fatal(errW, errS)
		}
		if window.Events > whole.Events {
			t.Errorf("%s: the window replayed %d events, the whole log has %d", what, window.Events, whole.Events)
		}
		if window.Events < whole.Events && whole.Actual.Closes+whole.Actual.Asks > 0 {
			counted++
		}
		whole.Events, window.Events = 0, 0       // the window reads fewer events,
		whole.Redecided, window.Redecided = 0, 0 // and decides fewer again
		if !reflect.DeepEqual(window, whole) {
			t.Errorf("%s since %s %v:\nwindow     %+v\nwhole log  %+v", what, since.Format(time.RFC3339), overrides, window, whole)
		}
	}
	if counted < 2 {
		t.Errorf("%s: only %d of the windows left events out and counted decisions: nothing compared", what, counted)
	}
}
