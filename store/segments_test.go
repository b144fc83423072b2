package store

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// everyFilter lists the 27 filters: each of channel, audience, origin open or set.
func everyFilter() []domain.Filter {
	var out []domain.Filter
	for _, ch := range []string{"", "messenger", "email"} {
		for _, aud := range []string{"", "users", "leads"} {
			for _, or := range []string{"", "inbound", "outbound"} {
				f, err := domain.ParseFilter(ch, aud, or)
				if err != nil {
					panic(err)
				}
				out = append(out, f)
			}
		}
	}
	return out
}

// slotCounts recounts a workspace's rating slots over all time, per agent,
// of the conversations f matches.
func slotCounts(ws *domain.Workspace, f domain.Filter) map[domain.Actor]domain.Counts {
	out := map[domain.Actor]domain.Counts{}
	for _, c := range ws.Conversations {
		if !f.Matches(domain.SegmentOf(c)) {
			continue
		}
		for _, sl := range c.Slots {
			x := out[sl.Agent]
			x.Surveys++
			if sl.Inferred {
				x.Inferred++
			}
			if sl.Value > 0 {
				x.ByValue[sl.Value]++
			}
			out[sl.Agent] = x
		}
	}
	return out
}

// teamEvent names a team or moves a teammate in or out of it.
func teamEvent(g *randomStream) domain.Event {
	ids := []string{"billing", "vip", "night"}
	ev := domain.Event{Kind: domain.EvTeam, Conv: g.pick(ids)}
	switch g.r.IntN(4) {
	case 0:
		ev.Text = g.pick([]string{"Billing", "VIP 🌟", "山田チーム"})
	case 1:
		ev.Agent, ev.Value = domain.Teammate(g.pick(genTeammates)), domain.TeamLeave
	default:
		ev.Agent = domain.Teammate(g.pick(genTeammates))
	}
	return ev
}

// TestSegmentAndTeamCountersEqualRecount: after random streams, every
// filtered leaderboard, its team rows and the workspace row equal a recount
// from the rating slots, and the stored segment keys equal recountSlots.
func TestSegmentAndTeamCountersEqualRecount(t *testing.T) {
	streams := 200
	if testing.Short() {
		streams = 40
	}
	filters := everyFilter()
	for seed := 1; seed <= streams; seed++ {
		g := newRandomStream(uint64(seed))
		s := openMem(t)
		var batch []domain.Event
		length := 30 + seed%250
		for i := 0; i < length; i++ {
			ev, _ := g.next()
			if g.r.IntN(8) == 0 {
				tev := teamEvent(g)
				if _, err := g.shadow.Apply(tev); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				batch = append(batch, tev)
			}
			batch = append(batch, ev)
			if len(batch) >= 1+seed%13 || i == length-1 {
				if _, err := s.ApplyBatch(batch); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				batch = batch[:0]
			}
		}
		if got, want := s.Teams(), domain.SortedTeams(g.shadow.Teams); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: teams %+v, want %+v", seed, got, want)
		}
		for _, f := range filters {
			checkFiltered(t, s, g.shadow, f, fmt.Sprintf("seed %d, filter %q", seed, f))
		}
		checkSegmentKeys(t, s, fmt.Sprintf("seed %d", seed))
		checkFilterKeys(t, s, fmt.Sprintf("seed %d", seed))
		s.Close()
	}
}

func checkFiltered(t *testing.T, s *Store, ws *domain.Workspace, f domain.Filter, what string) {
	t.Helper()
	want := slotCounts(ws, f)
	lb, err := s.LeaderboardOf(Period{}, f)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var team domain.Counts
	for a, c := range want {
		if a.IsTeammate() {
			team.Add(c)
		}
	}
	if lb.Team != team {
		t.Fatalf("%s: workspace row %+v, recount %+v", what, lb.Team, team)
	}
	for _, rows := range [][]AgentRow{lb.Teammates, lb.Bots} {
		for _, r := range rows {
			if r.Counts != want[r.Agent] {
				t.Fatalf("%s: %s %+v, recount %+v", what, r.Agent, r.Counts, want[r.Agent])
			}
			delete(want, r.Agent)
		}
	}
	for a, c := range want {
		if c != (domain.Counts{}) {
			t.Fatalf("%s: %s has no row, recount %+v", what, a, c)
		}
	}
	full := slotCounts(ws, f)
	for _, tr := range lb.Teams {
		var sum domain.Counts
		for _, m := range tr.Team.Members {
			sum.Add(full[domain.Teammate(m)])
		}
		if tr.Counts != sum {
			t.Fatalf("%s: team %s %+v, recount of its members %+v", what, tr.Team.ID, tr.Counts, sum)
		}
	}
}

// checkSegmentKeys compares the stored e/ keys with recountSlots, and
// each day's segments with its d/ key.
func checkSegmentKeys(t *testing.T, s *Store, what string) {
	t.Helper()
	txn, st, done := s.snapshot()
	defer done()
	want, err := recountSlots(txn, func(a domain.Actor) (uint32, bool) { id, ok := s.st.ids[a]; return id, ok }, len(st.agents))
	if err != nil {
		t.Fatal(err)
	}
	byDay := map[int32][]domain.Counts{}
	err = iterate(txn, prefix(pSegDay), func(k, v []byte) error {
		cs := make([]domain.Counts, len(st.agents))
		if err := decodeAgentCounts(v, cs); err != nil {
			return err
		}
		key := segDay{readDayKey(k), domain.Segment(k[6])}
		exp := want[key]
		if exp == nil {
			exp = make([]domain.Counts, len(st.agents))
		}
		if !reflect.DeepEqual(cs, exp) {
			return fmt.Errorf("segment %v of day %d: stored %v, recount %v", key.seg, key.day, cs, exp)
		}
		delete(want, key)
		sum := byDay[key.day]
		if sum == nil {
			sum = make([]domain.Counts, len(st.agents))
			byDay[key.day] = sum
		}
		for i := range cs {
			sum[i].Add(cs[i])
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(want) > 0 {
		t.Fatalf("%s: recount has %d segment days the store lacks", what, len(want))
	}
	err = iterate(txn, prefix(pDay), func(k, v []byte) error {
		cs := make([]domain.Counts, len(st.agents))
		if err := decodeAgentCounts(v, cs); err != nil {
			return err
		}
		sum := byDay[readDayKey(k)]
		if sum == nil {
			sum = make([]domain.Counts, len(st.agents))
		}
		if !reflect.DeepEqual(cs, sum) {
			return fmt.Errorf("day %d: %v, its segments sum to %v", readDayKey(k), cs, sum)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestOldStoreGetsSegmentCounters: a schema-4 store (no e/ keys) is
// refused read-only, and a writable open builds the counters from its
// conversations, then schema 5 (the !segments marker gone); Check then agrees with a
// replay.
func TestOldStoreGetsSegmentCounters(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	g := newRandomStream(7)
	var evs []domain.Event
	for i := 0; i < 600; i++ {
		ev, _ := g.next()
		evs = append(evs, ev)
	}
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	// Make it what schema 4 wrote: no segment keys, schema 4.
	unfoldParts(t, s)
	err := s.db.Update(func(txn *badger.Txn) error {
		var keys [][]byte
		if err := iterate(txn, prefix(pSegDay), func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return txn.Set(keySchema, encodeSchema(4))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	if ro, err := Open(Options{Dir: dir, ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
		if err == nil {
			ro.Close()
		}
		t.Fatalf("read-only open of a schema-4 store: %v, want ErrOlderSchema", err)
	}

	s = openDir(t, dir)
	defer s.Close()
	if err := s.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get(keySegments); !errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("the !segments marker after schema 5 is written: %v, want none", err)
		}
		return getValue(txn, keySchema, func(v []byte) error {
			v5, err := decodeSchema(v)
			if err == nil && v5 != schemaVersion {
				err = fmt.Errorf("schema %d after the migration, want %d", v5, schemaVersion)
			}
			return err
		})
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range everyFilter() {
		checkFiltered(t, s, g.shadow, f, fmt.Sprintf("migrated, filter %q", f))
	}
	checkSegmentKeys(t, s, "migrated")
	checkFilterKeys(t, s, "migrated")
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check after the migration: %v %v", diffs, err)
	}
}

// TestSeriesEqualsRecount: an agent's weekly (and monthly) series covers
// the period without gaps, and each point equals a recount of the slots
// whose survey or rating falls in its days.
func TestSeriesEqualsRecount(t *testing.T) {
	for seed := 1; seed <= 30; seed++ {
		g := newRandomStream(uint64(seed))
		s := openMem(t)
		var evs []domain.Event
		for i := 0; i < 300; i++ {
			ev, _ := g.next()
			evs = append(evs, ev)
		}
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
		p := Period{From: genStart.AddDate(0, 0, 3), To: s.Latest().AddDate(0, 0, 2)}
		for _, f := range []domain.Filter{{}, everyFilter()[4]} {
			for _, by := range []domain.Bucket{domain.ByWeek, domain.ByMonth, domain.ByDay} {
				for _, a := range s.Agents() {
					pts, err := s.Series(a, p, f, by)
					if err != nil {
						t.Fatal(err)
					}
					if len(pts) == 0 || !pts[0].From.Equal(p.From) || !pts[len(pts)-1].To.Equal(dayStart(dayOf(p.To)+1)) {
						t.Fatalf("seed %d %s by %s: points %v do not cover %v", seed, a, by, pts, p)
					}
					for i, pt := range pts {
						if i > 0 && !pt.From.Equal(pts[i-1].To) || i > 0 && !pt.From.Equal(by.Start(pt.From)) {
							t.Fatalf("seed %d: point %d starts %s", seed, i, pt.From)
						}
						var want domain.Counts
						for _, c := range g.shadow.Conversations {
							if !f.Matches(domain.SegmentOf(c)) {
								continue
							}
							for _, sl := range c.Slots {
								in := func(at time.Time) bool { return !at.Before(pt.From) && at.Before(pt.To) }
								if sl.Agent != a {
									continue
								}
								if in(sl.FirstRequestAt) {
									want.Surveys++
									if sl.Inferred {
										want.Inferred++
									}
								}
								if sl.Value > 0 && in(sl.FirstRatedAt) {
									want.ByValue[sl.Value]++
								}
							}
						}
						if pt.Counts != want {
							t.Fatalf("seed %d %s by %s, filter %q, %s..%s: %+v, recount %+v", seed, a, by, f, pt.From, pt.To, pt.Counts, want)
						}
					}
				}
			}
		}
		s.Close()
	}
}

func TestLeaderboardForTeam(t *testing.T) {
	s := openMem(t)
	defer s.Close()
	var evs []domain.Event
	at := genStart
	for i, tm := range []string{"alice", "bob", "carol"} {
		c := fmt.Sprintf("c%d", i)
		evs = append(evs,
			domain.Event{Kind: domain.EvStart, At: at, Conv: c, Actor: domain.User("u")},
			domain.Event{Kind: domain.EvSay, At: at, Conv: c, Actor: domain.Teammate(tm), Text: "done"},
			domain.Event{Kind: domain.EvAsk, At: at, Conv: c},
			domain.Event{Kind: domain.EvRate, At: at, Conv: c, Actor: domain.User("u"), Value: 1 + 2*i})
	}
	evs = append(evs,
		domain.Event{Kind: domain.EvTeam, Conv: "billing", Text: "Billing 💳", Agent: domain.Teammate("alice")},
		domain.Event{Kind: domain.EvTeam, Conv: "billing", Agent: domain.Teammate("bob")},
		domain.Event{Kind: domain.EvTeam, Conv: "vip", Agent: domain.Teammate("bob")},
		domain.Event{Kind: domain.EvTeam, Conv: "empty"})
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	lb, err := s.Leaderboard(Period{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lb.Teams) != 3 || lb.Teams[0].Team.ID != "billing" || lb.Teams[0].Counts.Rated() != 2 || lb.Teams[1].Counts.Rated() != 0 || lb.Teams[2].Counts.Rated() != 1 {
		t.Fatalf("team rows %+v", lb.Teams)
	}
	if lb.Team.Rated() != 3 {
		t.Fatalf("workspace row %+v: bob, in two teams, counts once", lb.Team)
	}
	for _, name := range []string{"billing", "Billing 💳"} {
		b, ok := lb.ForTeam(name)
		if !ok || b.Team != lb.Teams[0].Counts || len(b.Teammates) != 2 || b.Teammates[0].Agent.Name != "alice" || len(b.Bots) != 0 {
			t.Fatalf("ForTeam(%q): %+v %v", name, b, ok)
		}
	}
	if e, ok := lb.ForTeam("empty"); !ok || e.Teammates == nil || len(e.Teammates) != 0 {
		t.Fatalf("ForTeam(empty): %+v", e)
	}
	if _, ok := lb.ForTeam("nope"); ok {
		t.Fatal("an unknown team was found")
	}
}
