package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

func openMem(t testing.TB) *Store {
	t.Helper()
	s, err := Open(Options{InMemory: true, memTableSize: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openDir(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, memTableSize: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func encEvent(ev domain.Event) []byte    { e := enc{}; e.event(&ev); return e.b }
func encOutcome(o domain.Outcome) []byte { e := enc{}; e.outcome(&o); return e.b }
func encConv(c domain.Conversation) []byte {
	e := enc{}
	e.conversation(&convRecord{Conversation: c})
	return e.b
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// everyKind is a script with every event kind, in both profiles.
func everyKind() []domain.Event {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	long := strings.Repeat("é😀 word ", 40)
	users := func(n string) domain.SettingKey { return domain.SettingKey{Scope: "users", Name: n} }
	ws := func(n string) domain.SettingKey { return domain.SettingKey{Scope: "workspace", Name: n} }
	return []domain.Event{
		{Kind: domain.EvRole, At: at(0), By: "ann", Role: domain.RoleAdmin},
		{Kind: domain.EvRole, At: at(0), By: "bo", Role: domain.RoleTeammate},
		{Kind: domain.EvSet, At: at(1), Setting: users("change-window"), Text: "24", By: "ann"},
		{Kind: domain.EvStart, At: at(2), Conv: "c1", Actor: domain.User("u1"), Channel: domain.ChannelEmail},
		{Kind: domain.EvSay, At: at(3), Conv: "c1", Actor: domain.User("u1"), Text: long},
		{Kind: domain.EvNote, At: at(4), Conv: "c1", Actor: domain.Teammate("bo"), Text: "vip"},
		{Kind: domain.EvSay, At: at(5), Conv: "c1", Actor: domain.Teammate("bo"), Text: long},
		{Kind: domain.EvSnooze, At: at(6), Conv: "c1", Actor: domain.Teammate("bo"), Until: at(60)},
		{Kind: domain.EvClock, At: at(61)},
		{Kind: domain.EvClose, At: at(62), Conv: "c1", Actor: domain.Teammate("bo")},
		{Kind: domain.EvRate, At: at(63), Conv: "c1", Actor: domain.User("u1"), Value: 1},
		{Kind: domain.EvFollowUp, At: at(64), Conv: "c1", Agent: domain.Teammate("bo"), Stage: domain.StageClaimed, By: "ann", Text: "calling"},
		{Kind: domain.EvRate, At: at(65), Conv: "c1", Actor: domain.User("u1"), Value: 5},
		{Kind: domain.EvComment, At: at(66), Conv: "c1", Actor: domain.User("u1"), Text: "sorted, thanks"},
		{Kind: domain.EvRate, At: at(67), Conv: "c1", Actor: domain.User("u1"), Value: 2}, // refused: locked
		{Kind: domain.EvReopen, At: at(68), Conv: "c1", Actor: domain.Teammate("bo")},
		{Kind: domain.EvStart, At: at(70), Conv: "c2", Actor: domain.Lead("l1"), Origin: domain.OriginDirect, Agent: domain.Teammate("ann")},
		{Kind: domain.EvAdd, At: at(71), Conv: "c2", Actor: domain.Lead("l2")},
		{Kind: domain.EvSay, At: at(72), Conv: "c2", Actor: domain.Fin, Text: "hi"},
		{Kind: domain.EvAsk, At: at(73), Conv: "c2"}, // skipped: group
		{Kind: domain.EvClose, At: at(74), Conv: "c2", Actor: domain.Workflow},
		{Kind: domain.EvStart, At: at(80), Conv: "c3", Actor: domain.User("u2"), Origin: domain.OriginWorkflow},
		{Kind: domain.EvSay, At: at(81), Conv: "c3", Actor: domain.Workflow, Text: "hello"},
		{Kind: domain.EvAsk, At: at(82), Conv: "c3"},
		{Kind: domain.EvRate, At: at(83), Conv: "c3", Actor: domain.User("u2"), Value: 4},
		{Kind: domain.EvObserve, At: at(90), Conv: "c3", Actor: domain.User("u2"), Agent: domain.Teammate("cy"), Value: 2, Text: "meh", Until: at(-60 * 24 * 3)},
		{Kind: domain.EvSet, At: at(91), Setting: ws("profile"), Text: "operator"},
		{Kind: domain.EvAsk, At: at(92), Conv: "c3"}, // not_supported
		{Kind: domain.EvSet, At: at(93), Setting: ws("followup"), Text: "negative+bad", By: "ann"},
	}
}

func TestRoundTripEveryEventType(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	evs := everyKind()
	shadow := domain.NewWorkspace()
	var want []domain.Outcome
	for i, ev := range evs {
		o, err := shadow.Apply(ev)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		want = append(want, o)
	}
	// Half one by one, half as a batch.
	var got []domain.Outcome
	for _, ev := range evs[:10] {
		o, err := s.Apply(ev)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, o)
	}
	rest, err := s.ApplyBatch(evs[10:])
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, rest...)
	for i := range want {
		if !bytes.Equal(encOutcome(got[i]), encOutcome(want[i])) {
			t.Errorf("event %d (%s): outcome %+v, want %+v", i, evs[i].Kind, got[i], want[i])
		}
	}
	s.Close()
	s = openDir(t, dir)
	defer s.Close()

	kinds := map[domain.EventKind]bool{}
	n := 0
	err = s.EventsWithOutcomes(0, func(seq uint64, ev domain.Event, o domain.Outcome) error {
		if seq != uint64(n+1) {
			t.Errorf("seq %d at position %d", seq, n)
		}
		if !bytes.Equal(encEvent(ev), encEvent(evs[n])) {
			t.Errorf("event %d: %+v, want %+v", n, ev, evs[n])
		}
		if !bytes.Equal(encOutcome(o), encOutcome(want[n])) {
			t.Errorf("event %d: logged outcome differs", n)
		}
		if len(o.Checks()) != len(want[n].Checks()) {
			t.Errorf("event %d: %d checks, want %d", n, len(o.Checks()), len(want[n].Checks()))
		}
		kinds[ev.Kind] = true
		n++
		return nil
	})
	if err != nil || n != len(evs) {
		t.Fatalf("Events: %d events, err %v", n, err)
	}
	for k := domain.EvClock; k <= domain.EvObserve; k++ {
		if !kinds[k] {
			t.Errorf("no %s event in the round trip", k)
		}
	}
	for id, c := range shadow.Conversations {
		got, ok := s.Conversation(id)
		if !ok || !bytes.Equal(encConv(got), encConv(*c)) {
			t.Errorf("conversation %s: %+v, want %+v", id, got, *c)
		}
		parts, err := s.Stream(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			if p.Event.Conv != id || !bytes.Equal(encOutcome(p.Outcome), encOutcome(want[p.Seq-1])) {
				t.Errorf("stream %s: part %d wrong", id, p.Seq)
			}
		}
	}
	if got := s.Settings(); got != shadow.Settings {
		t.Errorf("settings %+v, want %+v", got, shadow.Settings)
	}
	var latest time.Time
	for _, ev := range evs {
		if ev.At.After(latest) {
			latest = ev.At
		}
	}
	if !s.Latest().Equal(latest) {
		t.Errorf("latest %v, want %v", s.Latest(), latest)
	}
	audit, _ := s.Audit(0)
	if len(audit) != 3 || audit[0].Key.Name != "followup" || audit[0].Old != "negative" || audit[0].New != "negative+bad" || audit[0].By != "ann" {
		t.Errorf("audit %+v", audit)
	}
	tms, _ := s.Teammates()
	if !reflect.DeepEqual(tms, []Teammate{{"ann", domain.RoleAdmin}, {"bo", domain.RoleTeammate}}) {
		t.Errorf("teammates %+v", tms)
	}
	// c1's slot was raised after follow-up work started; cy's observed 2 is
	// in the queue under negative+bad.
	fu, _ := s.FollowUps(FollowUpFilter{})
	if len(fu) != 2 || fu[0].Agent.Name != "cy" || fu[1].Conv != "c1" || !fu[1].Raised || fu[1].Window.Open() {
		t.Errorf("follow-ups %+v", fu)
	}
	ach, _ := s.Achievements(0)
	if len(ach) != 2 || ach[0].Conv != "c3" || ach[0].Agent != domain.Workflow || ach[1].Comment != "sorted, thanks" {
		t.Errorf("achievements %+v", ach)
	}
	list, _ := s.Conversations(0)
	if len(list) != 3 || list[0].ID != "c3" || list[2].ID != "c1" {
		t.Errorf("conversations %+v", list)
	}
	diffs, err := s.Check(simulate.ReplayInto)
	if err != nil || len(diffs) != 0 {
		t.Errorf("check: %v %v", diffs, err)
	}
}

// recount derives per-(agent, day) counts from the rating slots alone.
func recount(ws *domain.Workspace) map[domain.Actor]map[int32]domain.Counts {
	out := map[domain.Actor]map[int32]domain.Counts{}
	at := func(a domain.Actor, d int32) domain.Counts {
		if out[a] == nil {
			out[a] = map[int32]domain.Counts{}
		}
		return out[a][d]
	}
	for _, c := range ws.Conversations {
		for _, sl := range c.Slots {
			d := dayOf(sl.FirstRequestAt)
			x := at(sl.Agent, d)
			x.Surveys++
			if sl.Inferred {
				x.Inferred++
			}
			out[sl.Agent][d] = x
			if sl.Value != 0 {
				d = dayOf(sl.FirstRatedAt)
				x = at(sl.Agent, d)
				x.ByValue[sl.Value]++
				out[sl.Agent][d] = x
			}
		}
	}
	return out
}

// storedCounts reads every day key back per agent.
func storedCounts(t *testing.T, s *Store) map[domain.Actor]map[int32]domain.Counts {
	out := map[domain.Actor]map[int32]domain.Counts{}
	agents := s.Agents()
	txn, _, done := s.snapshot()
	defer done()
	err := iterate(txn, prefix(pDay), func(k, v []byte) error {
		cs := make([]domain.Counts, len(agents))
		if err := decodeAgentCounts(v, cs); err != nil {
			return err
		}
		for id, c := range cs {
			if c == (domain.Counts{}) {
				continue
			}
			if out[agents[id]] == nil {
				out[agents[id]] = map[int32]domain.Counts{}
			}
			out[agents[id]][readDayKey(k)] = c
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCountersEqualRecountFromSlots(t *testing.T) {
	streams := 1000
	if testing.Short() {
		streams = 150
	}
	for seed := 1; seed <= streams; seed++ {
		g := newRandomStream(uint64(seed))
		s := openMem(t)
		length := 20 + seed%200
		var batch []domain.Event
		var want []domain.Outcome
		for i := 0; i < length; i++ {
			ev, o := g.next()
			batch = append(batch, ev)
			want = append(want, o)
			if len(batch) >= 1+seed%17 || i == length-1 {
				got, err := s.ApplyBatch(batch)
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				for j := range got {
					if !bytes.Equal(encOutcome(got[j]), encOutcome(want[j])) {
						t.Fatalf("seed %d: outcome of %s differs from the domain's", seed, batch[j].Kind)
					}
				}
				batch, want = batch[:0], want[:0]
			}
		}
		exp := recount(g.shadow)
		got := storedCounts(t, s)
		if !reflect.DeepEqual(got, exp) {
			t.Fatalf("seed %d: day counters\n%v\nrecount from slots\n%v", seed, got, exp)
		}
		var q domain.QueueTally
		team := domain.Counts{}
		for a, days := range exp {
			var all domain.Counts
			for _, c := range days {
				all.Add(c)
			}
			if s.AllTime(a) != all {
				t.Fatalf("seed %d: all-time %s %+v, recount %+v", seed, a, s.AllTime(a), all)
			}
			if a.IsTeammate() {
				team.Add(all)
			}
		}
		for _, c := range g.shadow.Conversations {
			for _, sl := range c.Slots {
				q.Move(domain.QueueMove{Moved: true, After: sl.QueueEntry()})
			}
		}
		if s.TeamAllTime() != team || s.OpenFollowUps() != q.Open(g.shadow.Settings.FollowUp) {
			t.Fatalf("seed %d: team %+v (want %+v), open follow-ups %d (want %d)", seed, s.TeamAllTime(), team, s.OpenFollowUps(), q.Open(g.shadow.Settings.FollowUp))
		}
		lb, err := s.Leaderboard(Period{})
		if err != nil {
			t.Fatal(err)
		}
		if lb.Team != team {
			t.Fatalf("seed %d: leaderboard team %+v, want %+v", seed, lb.Team, team)
		}
		if seed%25 == 0 {
			if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
				t.Fatalf("seed %d: check %v %v", seed, diffs, err)
			}
		}
		s.Close()
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	g := newRandomStream(42)
	var evs []domain.Event
	for i := 0; i < 3000; i++ {
		ev, _ := g.next()
		evs = append(evs, ev)
	}
	for i := 0; i < len(evs); i += 100 {
		if _, err := s.ApplyBatch(evs[i : i+100]); err != nil {
			t.Fatal(err)
		}
	}
	type view struct {
		Seq       uint64
		Now       time.Time
		Settings  domain.Settings
		Team      domain.Counts
		Open      int
		LB        Leaderboard
		FollowUps []FollowUpItem
		Ach       []Achievement
		Convs     []ConversationSummary
		Audit     []AuditEntry
		Roster    []Teammate
		Stream    []Part
	}
	look := func(s *Store) view {
		var v view
		v.Seq, v.Now, v.Settings, v.Team, v.Open = s.Seq(), s.Latest(), s.Settings(), s.TeamAllTime(), s.OpenFollowUps()
		var err [7]error
		v.LB, err[0] = s.Leaderboard(Period{})
		v.FollowUps, err[1] = s.FollowUps(FollowUpFilter{IncludeResolved: true})
		v.Ach, err[2] = s.Achievements(0)
		v.Convs, err[3] = s.Conversations(0)
		v.Audit, err[4] = s.Audit(0)
		v.Roster, err[5] = s.Teammates()
		v.Stream, err[6] = s.Stream("c5")
		for _, e := range err {
			if e != nil {
				t.Fatal(e)
			}
		}
		return v
	}
	before := look(s)
	if before.Seq != 3000 || len(before.Convs) == 0 || len(before.Ach) == 0 || before.Team.Rated() == 0 || len(before.Stream) == 0 {
		t.Fatalf("the stream is too thin to test: %+v", before.Team)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDir(t, dir)
	after := look(s)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("reopened store differs:\nbefore %+v\nafter  %+v", before.LB, after.LB)
	}
	// It keeps working where it left off.
	for i := 0; i < 500; i++ {
		ev, _ := g.next()
		if _, err := s.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check after reopen: %v %v", diffs, err)
	}
	s.Close()

	ro, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.Seq() != 3500 {
		t.Errorf("read-only seq %d", ro.Seq())
	}
	if _, err := ro.Apply(domain.Event{Kind: domain.EvClock}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("write on a read-only store: %v", err)
	}
}

func TestBadEventInBatchWritesNothing(t *testing.T) {
	s := openMem(t)
	evs := everyKind()
	if _, err := s.ApplyBatch(evs[:5]); err != nil {
		t.Fatal(err)
	}
	bad := append([]domain.Event{}, evs[5:9]...)
	bad = append(bad, domain.Event{Kind: domain.EvSay, Conv: "nope", Actor: domain.User("u1"), Text: "x"})
	_, err := s.ApplyBatch(bad)
	var ee *EventError
	if !errors.As(err, &ee) || ee.Index != 4 || !errors.Is(err, domain.ErrUnknownConversation) || !strings.Contains(err.Error(), "event 4 (say nope)") {
		t.Fatalf("error %v", err)
	}
	if s.Seq() != 5 {
		t.Errorf("seq %d after a refused batch, want 5", s.Seq())
	}
	n := 0
	s.Events(0, func(uint64, domain.Event) error { n++; return nil })
	c, _ := s.Conversation("c1")
	if n != 5 || c.Messages != 1 {
		t.Errorf("%d events logged, %d messages in c1: the bad batch leaked", n, c.Messages)
	}
}

func TestBatchBackendCommitsOnlyAtCommit(t *testing.T) {
	s := openMem(t)
	evs := everyKind()
	b, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs[:12] {
		if _, err := b.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	if c, ok := b.Conversation("c1"); !ok || c.State != domain.StateClosed {
		t.Errorf("the batch does not see its own writes: %+v", c)
	}
	if b.AllTime(domain.Teammate("bo")).Surveys != 1 || b.OpenFollowUps() != 1 {
		t.Errorf("batch counts %+v, open %d", b.AllTime(domain.Teammate("bo")), b.OpenFollowUps())
	}
	if s.Seq() != 0 {
		t.Fatal("a pending batch reached the store")
	}
	b.Discard()
	if _, ok := s.Conversation("c1"); ok || s.Seq() != 0 {
		t.Fatal("a discarded batch reached the store")
	}
	b, _ = s.Begin()
	for _, ev := range evs {
		if _, err := b.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if s.Seq() != uint64(len(evs)) {
		t.Fatalf("seq %d", s.Seq())
	}
}

func TestSplitsBatchTooBigForOneTransaction(t *testing.T) {
	s := openMem(t) // 2 MiB memtables: a transaction holds about 300 KiB
	g := newRealisticStream(1, 20, t0)
	var evs []domain.Event
	for i := 0; i < 20000; i++ {
		evs = append(evs, g.next())
	}
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	if s.Seq() != 20000 {
		t.Fatalf("seq %d", s.Seq())
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

func TestReadersSeeWholeTransactions(t *testing.T) {
	s := openMem(t)
	// Every committed state, as (team counts, conversations), worked out
	// beforehand with the domain alone; a reader must only ever see one of them.
	g := newRealisticStream(3, 10, t0)
	shadow := domain.NewWorkspace()
	var tally domain.Tally
	type state struct {
		team  domain.Counts
		convs int
	}
	allowed := map[state]bool{{}: true}
	var batches [][]domain.Event
	for b := 0; b < 60; b++ {
		var evs []domain.Event
		for i := 0; i < 300; i++ {
			ev := g.next()
			o, err := shadow.Apply(ev)
			if err != nil {
				t.Fatal(err)
			}
			tally.Observe(&o)
			evs = append(evs, ev)
		}
		batches = append(batches, evs)
		allowed[state{tally.Team(), len(shadow.Conversations)}] = true
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var bad atomic.Value
	var reads atomic.Int64
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				lb, err := s.Leaderboard(Period{})
				if err != nil {
					bad.Store(err.Error())
					return
				}
				list, _ := s.Conversations(0)
				st := state{lb.Team, len(list)}
				if !allowed[state{lb.Team, len(list)}] {
					// The two reads are separate snapshots: each must match some commit.
					okTeam, okList := false, false
					for a := range allowed {
						okTeam = okTeam || a.team == st.team
						okList = okList || a.convs == st.convs
					}
					if !okTeam || !okList {
						bad.Store("torn read: " + showCounts(lb.Team))
						return
					}
				}
				reads.Add(1)
			}
		}()
	}
	for _, evs := range batches {
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if msg := bad.Load(); msg != nil {
		t.Fatal(msg)
	}
	if reads.Load() == 0 {
		t.Fatal("no read ran during the writes")
	}
}

func TestLockedStoreNamesTheDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "csat")
	s := openDir(t, dir)
	defer s.Close()
	_, err := Open(Options{Dir: dir})
	if !errors.Is(err, ErrLocked) || err.Error() != dir+" is in use by another csat process" {
		t.Fatalf("second open: %v", err)
	}
	_, err = Open(Options{Dir: dir, ReadOnly: true})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("read-only open of a store in use: %v", err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	if _, err := s.Apply(domain.Event{Kind: domain.EvClock, At: t0}); err != nil {
		t.Fatal(err)
	}
	e := enc{}
	e.uint(schemaVersion + 1)
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keySchema, e.b) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, ro := range []bool{false, true} {
		_, err := Open(Options{Dir: dir, ReadOnly: ro})
		if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), fmt.Sprintf("schema %d;", schemaVersion+1)) {
			t.Fatalf("read-only %v: %v", ro, err)
		}
	}
}

func TestDataDirProblems(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o600)
	if _, err := Open(Options{Dir: file}); !errors.Is(err, ErrDataDir) || !strings.Contains(err.Error(), file+" is a file") {
		t.Errorf("file as data dir: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "none")
	if _, err := Open(Options{Dir: missing, ReadOnly: true}); !errors.Is(err, ErrNoStore) {
		t.Errorf("read-only on a missing dir: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a read-only open created %s", missing)
	}
	created := filepath.Join(t.TempDir(), "a", "b")
	s, err := Open(Options{Dir: created})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fi, err := os.Stat(created)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("created data dir: %v %v", fi.Mode(), err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("CSAT_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/x")
	cases := []struct {
		flag, env, xdg, want string
	}{
		{"/f", "/e", "/x", "/f"},
		{"", "/e", "/x", "/e"},
		{"", "", "/x", "/x/csat"},
		{"", "", "", "/home/x/.local/share/csat"},
	}
	for _, c := range cases {
		t.Setenv("CSAT_DATA_DIR", c.env)
		t.Setenv("XDG_DATA_HOME", c.xdg)
		if got, err := DefaultDir(c.flag); err != nil || got != c.want {
			t.Errorf("%+v: %q %v", c, got, err)
		}
	}
}

func TestCheckCatchesCorruptedCounter(t *testing.T) {
	s := openMem(t)
	evs := everyKind()
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) != 0 {
		t.Fatalf("clean store: %v %v", diffs, err)
	}
	bo := domain.Teammate("bo")
	c := s.AllTime(bo)
	c.ByValue[5] += 3
	if err := s.corruptCounter(bo, t0, c); err != nil {
		t.Fatal(err)
	}
	diffs, err := s.Check(simulate.ReplayInto)
	if err != nil || len(diffs) != 1 {
		t.Fatalf("diffs %v, err %v", diffs, err)
	}
	if got := diffs[0].String(); !strings.Contains(got, "counters of 2026-03-02 for bo") || !strings.Contains(got, "4🤩") {
		t.Errorf("difference reads %q", got)
	}
}

// The feed is registered when Subscribe returns: a commit right after it is
// announced, with no pause to let anything settle.
func TestSubscribeSeesTheNextCommit(t *testing.T) {
	s := openMem(t)
	evs := everyKind()
	ctx, cancel := context.WithCancel(context.Background())
	ch := s.Subscribe(ctx)
	if _, err := s.ApplyBatch(evs[:11]); err != nil {
		t.Fatal(err)
	}
	c := nextChange(t, ch)
	if c.Seq != 11 || !c.Ratings || !c.Conversations || !c.Settings {
		t.Errorf("change %+v", c)
	}
	cancel()
	for range ch { // closed after cancel; the test times out otherwise
	}

	// Subscribing and committing at once, over and over: the first change
	// each new feed sees is the commit made right after it subscribed.
	for i := 11; i < len(evs); i++ {
		ctx, cancel := context.WithCancel(context.Background())
		ch := s.Subscribe(ctx)
		if _, err := s.Apply(evs[i]); err != nil {
			t.Fatal(err)
		}
		if c := nextChange(t, ch); c.Seq != uint64(i+1) {
			t.Fatalf("after event %d the feed saw seq %d", i+1, c.Seq)
		}
		cancel()
	}
}

// A reader that does not keep up gets the commits it missed merged into
// one change, and the writer never waits for it.
func TestSubscribeMergesForASlowReader(t *testing.T) {
	s := openMem(t)
	evs := everyKind()
	ch := s.Subscribe(context.Background())
	for _, ev := range evs {
		if _, err := s.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	var seen Change
	for seen.Seq != uint64(len(evs)) {
		seen = merge(seen, nextChange(t, ch))
	}
	if !seen.Ratings || !seen.FollowUps || !seen.Conversations || !seen.Settings {
		t.Errorf("merged %+v, want every flag", seen)
	}
	s.Close()
	for range ch { // closed by Close
	}
}

func nextChange(t *testing.T, ch <-chan Change) Change {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("feed closed")
		}
		return c
	case <-time.After(time.Minute): // a lost change, not a slow one (on a starved machine too)
		t.Fatal("no change delivered")
	}
	return Change{}
}

func TestLeaderboardPeriods(t *testing.T) {
	s := openMem(t)
	g := newRealisticStream(5, 8, t0)
	var evs []domain.Event
	for i := 0; i < 20000; i++ {
		evs = append(evs, g.next())
	}
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	now := s.Latest()
	all, _ := s.Leaderboard(Period{})
	days := int(dayOf(now)-dayOf(t0)) + 1
	if days < 2 || len(all.Teammates) != 8 || len(all.Teammates[0].Daily) != days {
		t.Fatalf("all: %d days, %d teammates, %d daily", days, len(all.Teammates), len(all.Teammates[0].Daily))
	}
	sum := domain.Counts{}
	for _, d := range all.Teammates[0].Daily {
		sum.Add(d.Counts())
	}
	if sum != all.Teammates[0].Counts {
		t.Errorf("daily sums to %+v, row says %+v", sum, all.Teammates[0].Counts)
	}
	p, _ := ParsePeriod("today", now)
	today, _ := s.Leaderboard(p)
	if len(today.Teammates[0].Daily) != 1 || today.Team.Rated() >= all.Team.Rated() || today.Team.Rated() == 0 {
		t.Errorf("today %+v vs all %+v", today.Team, all.Team)
	}
	p, _ = ParsePeriod("90d", now)
	if !p.To.Equal(dayStart(dayOf(now)+1)) || p.To.Sub(p.From) != 90*24*time.Hour {
		t.Errorf("90d = %+v", p)
	}
	long, _ := s.Leaderboard(Period{From: t0.AddDate(-1, 0, 0), To: p.To})
	if len(long.Teammates[0].Daily) != maxDaily || long.Team != all.Team {
		t.Errorf("a year is bucketed into %d points; team %+v vs %+v", len(long.Teammates[0].Daily), long.Team, all.Team)
	}
	if _, err := ParsePeriod("12d", now); err == nil {
		t.Error("12d accepted")
	}
}
