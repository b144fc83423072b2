package store

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// deliverShuffled is deliverParts with retries.
func deliverShuffled(t *testing.T, s *Store, evs []domain.Event, r *rand.Rand) {
	t.Helper()
	deliverParts(t, s, evs, r, true)
}

// deliverParts applies the workspace events (settings, roles) first, in
// their order, then every conversation's parts in a random order, the
// start first. With retry, a part the rules refuse when it arrives (a
// rating before the close it answers) is delivered again after the
// others, as a webhook sender retries, until every part is in; without,
// every part must be taken when it first arrives.
func deliverParts(t *testing.T, s *Store, evs []domain.Event, r *rand.Rand, retry bool) {
	t.Helper()
	var pending []domain.Event
	byConv := map[string][]domain.Event{}
	var order []string
	for _, ev := range evs {
		if ev.Conv == "" {
			if _, err := s.Apply(ev); err != nil {
				t.Fatalf("%s: %v", ev.Kind, err)
			}
			continue
		}
		if byConv[ev.Conv] == nil {
			order = append(order, ev.Conv)
		}
		byConv[ev.Conv] = append(byConv[ev.Conv], ev)
	}
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for _, id := range order {
		parts := byConv[id]
		if _, err := s.Apply(parts[0]); err != nil {
			t.Fatalf("start of %s: %v", id, err)
		}
		rest := parts[1:]
		r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
		pending = append(pending, rest...)
	}
	for round := 0; len(pending) > 0; round++ {
		if round > len(evs) {
			t.Fatalf("%d parts never apply, first %+v", len(pending), pending[0])
		}
		var again []domain.Event
		for _, ev := range pending {
			if _, err := s.Apply(ev); err != nil {
				if !retry {
					t.Fatalf("%s of %s at %s refused on delivery: %v", ev.Kind, ev.Conv, ev.At.Format(time.RFC3339), err)
				}
				again = append(again, ev)
			}
		}
		pending = again
	}
}

// storeView is everything a reader sees of the derived state.
type storeView struct {
	Convs     map[string][]byte
	LB        Leaderboard
	Totals    map[domain.Actor]domain.Counts
	Open      int
	FollowUps []FollowUpItem
	Ach       []Achievement
	List      []ConversationSummary
	Latest    time.Time
}

func viewOf(t *testing.T, s *Store) storeView {
	t.Helper()
	v := storeView{Convs: map[string][]byte{}, Totals: map[domain.Actor]domain.Counts{}, Open: s.OpenFollowUps(), Latest: s.Latest()}
	err := s.EachConversation(func(c domain.Conversation, _ time.Time) error {
		v.Convs[c.ID] = encConv(c)
		return nil
	})
	var errs [4]error
	v.LB, errs[0] = s.Leaderboard(Period{})
	v.FollowUps, errs[1] = s.FollowUps(FollowUpFilter{IncludeResolved: true})
	v.Ach, errs[2] = s.Achievements(0)
	v.List, errs[3] = s.Conversations(0)
	for _, e := range append(errs[:], err) {
		if e != nil {
			t.Fatal(e)
		}
	}
	for _, a := range s.Agents() {
		if c := s.AllTime(a); c != (domain.Counts{}) {
			v.Totals[a] = c
		}
	}
	return v
}

// TestPartsInAnyOrderGiveTheSameStore is the property behind late parts:
// delivering each conversation's parts in any order, to a store on disk,
// gives the same conversations, counters, indexes and follow-up tally as
// delivering them in time order; and csat check's replay of the log in
// its (shuffled) order agrees with what was stored.
func TestPartsInAnyOrderGiveTheSameStore(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		checkAnyOrder(t, seed, randomParts(seed, 250), true)
	}
}

// TestHelpdeskStatePartsInAnyOrderAreKept: a helpdesk's closes, reopens
// and snoozes are facts. Delivered in any order, each is taken when it
// arrives, even when at that moment it changes nothing (a reopen before
// the close it follows), and placed when the parts before it come: the
// store is that of in-order delivery.
func TestHelpdeskStatePartsInAnyOrderAreKept(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		var evs []domain.Event
		for _, ev := range randomParts(seed, 400) {
			switch ev.Kind {
			case domain.EvStart:
				ev.By = "intercom"
			case domain.EvRate, domain.EvComment, domain.EvFollowUp, domain.EvAsk:
				continue // the helpdesk decides and rates: its ratings come as observations
			}
			evs = append(evs, ev)
		}
		state := 0
		for _, ev := range evs {
			if ev.Kind == domain.EvClose || ev.Kind == domain.EvReopen || ev.Kind == domain.EvSnooze {
				state++
			}
		}
		if state < 20 {
			t.Fatalf("seed %d: only %d state parts", seed, state)
		}
		checkAnyOrder(t, seed, evs, false)
	}
}

// randomParts draws n events of the random stream, clock events left out.
func randomParts(seed uint64, n int) []domain.Event {
	g := newRandomStream(seed)
	var evs []domain.Event
	for len(evs) < n {
		ev, _ := g.next()
		if ev.Kind != domain.EvClock {
			evs = append(evs, ev)
		}
	}
	return evs
}

// checkAnyOrder delivers evs in time order and, three times, shuffled
// (deliverParts), and compares the stores.
func checkAnyOrder(t *testing.T, seed uint64, evs []domain.Event, retry bool) {
	t.Helper()
	inOrder := openDir(t, t.TempDir())
	if _, err := inOrder.ApplyBatch(evs); err != nil {
		t.Fatalf("seed %d: in order: %v", seed, err)
	}
	want := viewOf(t, inOrder)
	inOrder.Close()
	for trial := uint64(0); trial < 3; trial++ {
		shuffled := openDir(t, t.TempDir())
		deliverParts(t, shuffled, evs, rand.New(rand.NewPCG(seed, trial)), retry)
		got := viewOf(t, shuffled)
		for id, c := range want.Convs {
			if !bytes.Equal(got.Convs[id], c) {
				a, _ := shuffled.Conversation(id)
				b, _ := inOrderConv(t, evs, id)
				t.Errorf("seed %d trial %d: conversation %s differs:\n got %+v\nwant %+v", seed, trial, id, a, b)
				for _, ev := range evs {
					if ev.Conv == id {
						t.Logf("%s %s %s %q %d", ev.At.Format(time.RFC3339), ev.Kind, ev.Actor, ev.Text[:min(len(ev.Text), 8)], ev.Value)
					}
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("seed %d trial %d: the store differs from in-order delivery:\n got %+v\nwant %+v", seed, trial, got.Totals, want.Totals)
		}
		for _, replay := range []LogReplay{simulate.ReplayInto[func(func(domain.Event) error) error, Replayer], oneByOne} {
			diffs, err := shuffled.Check(replay)
			if err != nil || len(diffs) > 0 {
				t.Errorf("seed %d trial %d: check: %v %v", seed, trial, err, diffs)
			}
		}
		shuffled.Close()
	}
}

// A late customer message reopens the decision of the close after it: the
// close was too short when it arrived and is sent once the message is in
// place, and the counters and the stream say so.
func TestLatePartRedecidesTheClose(t *testing.T) {
	s := openMem(t)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	bob, ann := domain.Teammate("bob"), domain.User("ann")
	long := strings.Repeat("word ", 30) // 150 code points: two make the conversation long enough
	for _, ev := range []domain.Event{
		{Kind: domain.EvStart, At: at(0), Conv: "c", Actor: ann},
		{Kind: domain.EvSay, At: at(2), Conv: "c", Actor: bob, Text: long},
		{Kind: domain.EvClose, At: at(3), Conv: "c", Actor: bob},
	} {
		if _, err := s.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	if s.AllTime(bob).Surveys != 0 {
		t.Fatal("a short conversation sent a survey")
	}
	o, err := s.Apply(domain.Event{Kind: domain.EvSay, At: at(1), Conv: "c", Actor: ann, Text: long})
	if err != nil || o.Kind != domain.EvSay {
		t.Fatalf("late part: %+v, %v", o, err)
	}
	if got := s.AllTime(bob).Surveys; got != 1 {
		t.Fatalf("surveys after the late part: %d, want 1", got)
	}
	parts, err := s.Stream("c")
	if err != nil || len(parts) != 4 {
		t.Fatalf("stream: %d parts, %v", len(parts), err)
	}
	if late := parts[1]; late.Event.Actor != ann || late.Seq != 4 {
		t.Fatalf("the stream shows %+v second, want the late message in its place", late.Event)
	}
	if close := parts[3]; close.Event.Kind != domain.EvClose || close.Outcome.Decision != domain.DecisionSent {
		t.Fatalf("the stream shows the close as %s", close.Outcome.Decision)
	}
	day := dayStart(dayOf(at(3)))
	lb, _ := s.Leaderboard(Period{From: day, To: day.AddDate(0, 0, 1)})
	if len(lb.Teammates) != 1 || lb.Teammates[0].Counts.Surveys != 1 {
		t.Fatalf("day counters %+v", lb.Teammates)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", err, diffs)
	}
}

func inOrderConv(t *testing.T, evs []domain.Event, id string) (domain.Conversation, bool) {
	w := domain.NewWorkspace()
	for _, ev := range evs {
		w.Apply(ev)
	}
	c, ok := w.Conversations[id]
	if !ok {
		return domain.Conversation{}, false
	}
	return *c, true
}
