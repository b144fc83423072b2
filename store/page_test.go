package store

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// randomStore applies n events of a random stream to a store on disk.
func randomStore(t *testing.T, dir string, seed uint64, n int) (*Store, *randomStream) {
	t.Helper()
	s := openDir(t, dir)
	g := newRandomStream(seed)
	var batch []domain.Event
	for i := 0; i < n; i++ {
		ev, _ := g.next()
		batch = append(batch, ev)
		if len(batch) == 50 || i == n-1 {
			if _, err := s.ApplyBatch(batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return s, g
}

// readAll pages through a list with read, forward from the start and
// backward from the end, and checks both give the same items.
func readAll[T any](t *testing.T, size int, read func(PageQuery) (Page[T], error)) []T {
	t.Helper()
	var fwd []T
	q := PageQuery{Limit: size}
	for {
		p, err := read(q)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != len(p.Cursors) || len(p.Items) > size {
			t.Fatalf("page of %d items, %d cursors, limit %d", len(p.Items), len(p.Cursors), size)
		}
		fwd = append(fwd, p.Items...)
		if !p.More || len(p.Items) == 0 {
			break
		}
		q = PageQuery{After: p.Cursors[len(p.Cursors)-1], Limit: size}
	}
	var back []T
	q = PageQuery{Last: true, Limit: size}
	for {
		p, err := read(q)
		if err != nil {
			t.Fatal(err)
		}
		back = append(append([]T(nil), p.Items...), back...)
		if !p.More || len(p.Items) == 0 {
			break
		}
		q = PageQuery{Before: p.Cursors[0], Limit: size}
	}
	if !reflect.DeepEqual(fwd, back) {
		t.Fatalf("forward %d items, backward %d, or in another order", len(fwd), len(back))
	}
	return fwd
}

func TestPagesReachEveryItemBothWays(t *testing.T) {
	s, _ := randomStore(t, t.TempDir(), 7, 3000)
	defer s.Close()
	all, err := s.Conversations(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 50 {
		t.Fatalf("only %d conversations", len(all))
	}
	got := readAll(t, 7, s.ConversationPage)
	if !reflect.DeepEqual(got, all) {
		t.Fatalf("paged %d conversations, the list has %d", len(got), len(all))
	}
	// From a cursor includes its item; After one starts past it.
	p, _ := s.ConversationPage(PageQuery{Limit: 10})
	from, _ := s.ConversationPage(PageQuery{From: p.Cursors[4], Limit: 3})
	if !reflect.DeepEqual(from.Items, p.Items[4:7]) {
		t.Fatalf("from the 5th: %v", from.Items)
	}
	if _, err := s.ConversationPage(PageQuery{After: "zz"}); err == nil {
		t.Fatal("a cursor that is not hex was taken")
	}

	ach, err := s.Achievements(0)
	if err != nil {
		t.Fatal(err)
	}
	if gotAch := readAll(t, 5, s.AchievementPage); !reflect.DeepEqual(gotAch, ach) {
		t.Fatalf("paged %d achievements, the list has %d", len(gotAch), len(ach))
	}
	if s.AchievementCount() != len(ach) {
		t.Fatalf("achievement count %d, the list has %d", s.AchievementCount(), len(ach))
	}
}

func TestSearchFindsIdsCustomersAgentsAndComments(t *testing.T) {
	s, _ := randomStore(t, t.TempDir(), 11, 3000)
	defer s.Close()
	all, _ := s.Conversations(0)
	var comment, agent string
	for _, c := range all {
		for _, sl := range c.Slots {
			agent = sl.Agent.Name
			if len(sl.Comment) > 3 && comment == "" {
				comment = sl.Comment
			}
		}
	}
	needles := []string{all[len(all)/2].ID, strings.ToUpper(all[len(all)/3].Customer.Name), agent}
	if comment != "" {
		needles = append(needles, comment[1:len(comment)-1])
	}
	for _, needle := range needles {
		var want []ConversationSummary
		for _, c := range all {
			text := c.ID
			full, _ := s.Conversation(c.ID)
			for _, cu := range full.Customers {
				text += "\x00" + cu.Name
			}
			for _, sl := range c.Slots {
				text += "\x00" + sl.Agent.Name + "\x00" + sl.Comment
			}
			if strings.Contains(strings.ToLower(text), strings.ToLower(needle)) {
				want = append(want, c)
			}
		}
		got := readAll(t, 3, func(q PageQuery) (Page[ConversationSummary], error) {
			return s.SearchConversations(context.Background(), needle, q)
		})
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Fatalf("search %q: %d found, want %d", needle, len(got), len(want))
		}
	}
}

// ratingsOf recounts an agent's ratings in a period from the conversations.
func ratingsOf(all []ConversationSummary, agent domain.Actor, p Period) []AgentRating {
	var out []AgentRating
	for _, c := range all {
		for _, sl := range c.Slots {
			at := sl.FirstRatedAt
			if sl.Agent != agent || sl.Value == 0 || !p.From.IsZero() && at.Before(p.From) || !p.To.IsZero() && !at.Before(p.To) {
				continue
			}
			out = append(out, AgentRating{Conv: c.ID, Customer: c.Customer, Value: sl.Value, Comment: sl.Comment, RatedAt: at})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].RatedAt.Equal(out[j].RatedAt) {
			return out[i].RatedAt.After(out[j].RatedAt)
		}
		return out[i].Conv > out[j].Conv
	})
	return out
}

func checkAgentRatings(t *testing.T, s *Store) {
	t.Helper()
	all, _ := s.Conversations(0)
	var mid time.Time
	for _, c := range all[len(all)/2:] {
		if mid.IsZero() || c.UpdatedAt.Before(mid) {
			mid = c.UpdatedAt
		}
	}
	checked := 0
	for _, agent := range s.Agents() {
		for _, p := range []Period{{}, {From: mid}, {To: mid}} {
			want := ratingsOf(all, agent, p)
			got := readAll(t, 4, func(q PageQuery) (Page[AgentRating], error) { return s.AgentRatings(agent, p, q) })
			if len(got) != len(want) || len(want) > 0 && !reflect.DeepEqual(got, want) {
				t.Fatalf("%s in %v: %d ratings from the index, %d in the conversations", agent, p, len(got), len(want))
			}
			checked += len(want)
		}
	}
	if checked == 0 {
		t.Fatal("no ratings to check")
	}
	// One agent's follow-ups, read through their ratings, are the queue's.
	for _, resolved := range []bool{false, true} {
		all, err := s.FollowUps(FollowUpFilter{IncludeResolved: resolved})
		if err != nil || len(all) == 0 {
			t.Fatalf("follow-ups: %d, %v", len(all), err)
		}
		for _, agent := range s.Agents() {
			var want []FollowUpItem
			for _, it := range all {
				if it.Agent == agent {
					want = append(want, it)
				}
			}
			got, err := s.FollowUps(FollowUpFilter{Agent: agent, IncludeResolved: resolved})
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("follow-ups of %s: %d, want %d (%v)", agent, len(got), len(want), err)
			}
		}
	}
}

func TestRatingsByAgentIndexIsKeptAndMigrated(t *testing.T) {
	dir := t.TempDir()
	s, _ := randomStore(t, dir, 5, 3000)
	checkAgentRatings(t, s)
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
	// A schema-3 store has no b/ keys: a writable open builds them.
	unfoldParts(t, s)
	err := s.db.Update(func(txn *badger.Txn) error {
		var keys [][]byte
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix(pByAgent)})
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		it.Close()
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return txn.Set(keySchema, encodeSchema(3))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openDir(t, dir)
	defer s.Close()
	checkAgentRatings(t, s)
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check after the upgrade: %v %v", diffs, err)
	}
}
