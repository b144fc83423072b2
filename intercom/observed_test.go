package intercom_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// operatorOrRating matches a notification that carries its conversation's
// rating, or a part by an admin who writes as Operator (which a rating of
// that admin goes to).
var operatorOrRating = regexp.MustCompile(`"topic":"conversation.rating.added"|"name":"Operator"`)

// shuffled delivers the notifications in an order drawn from r: every
// part of each conversation, its start and its closing, reopening and
// snoozing parts included, in any order, except that a rating and the
// parts by Operator keep their order among themselves. (A rating
// delivered before the part that shows its admin writes as Operator
// stays the admin's: that the id is a bot's is learned from the part.)
func shuffled(bodies [][]byte, r *rand.Rand) [][]byte {
	perm := r.Perm(len(bodies))
	var kept []int // positions in perm holding a rating or an Operator part
	for pos, i := range perm {
		if operatorOrRating.Match(bodies[i]) {
			kept = append(kept, pos)
		}
	}
	// Put those back in their original order, at the positions the
	// shuffle gave them: this is any order of the others.
	var orig []int
	for _, pos := range kept {
		orig = append(orig, perm[pos])
	}
	sort.Ints(orig)
	for k, pos := range kept {
		perm[pos] = orig[k]
	}
	out := make([][]byte, len(bodies))
	for pos, i := range perm {
		out[pos] = bodies[i]
	}
	return out
}

// TestObservedComparisonInAnyDeliveryOrder: whatif --against observed, and
// whatif --set on Intercom's conversations, on a store that received each
// conversation's notifications out of order (a reply after the close it
// came before) give what they give for the conversations imported in
// order: each conversation's parts are decided in their place. The
// conversations' states, the leaderboard and the rating slots are those
// of in-order delivery, and csat check agrees with what was stored.
func TestObservedComparisonInAnyDeliveryOrder(t *testing.T) {
	imported := openStore(t, store.Options{InMemory: true})
	defer imported.Close()
	importReal(t, imported, realFixtures...)
	want, err := intercom.CompareObserved(imported.EachEvent)
	if err != nil {
		t.Fatal(err)
	}
	if want.Observed < 5 || want.Agree == 0 || want.Skipped == 0 {
		t.Fatalf("the fixtures compare too little: %+v", want)
	}
	csatOff := []simulate.Override{{Key: domain.SettingKey{Scope: "users", Name: "csat"}, Value: "off"}}
	wantWhatIf, err := simulate.WhatIf(imported.EachEvent, csatOff, time.Time{})
	if err != nil || wantWhatIf.Helpdesk.Current.Sent == 0 || wantWhatIf.Helpdesk.NowSkipped == 0 {
		t.Fatalf("whatif --set users.csat=off: %+v, %v", wantWhatIf.Helpdesk, err)
	}
	var bodies [][]byte
	for _, f := range realFixtures {
		for _, c := range rawConversations(t, f) {
			bodies = append(bodies, notifications(t, c)...)
		}
	}
	var wantSkipped []string
	var wantStates []string
	lateSeen := 0
	for trial := uint64(0); trial <= 10; trial++ {
		order := bodies // in the order they happened, then shuffled
		if trial > 0 {
			order = shuffled(bodies, rand.New(rand.NewPCG(11, trial)))
		}
		hooked := openStore(t, store.Options{InMemory: true})
		wh := webhookOn(t, hooked)
		var skipped []string
		for _, n := range order {
			for _, s := range deliverTo(t, wh, n).Skipped {
				skipped = append(skipped, s.What)
			}
		}
		sort.Strings(skipped)
		gotStates := statesOf(t, hooked)
		if trial == 0 {
			wantSkipped, wantStates = skipped, gotStates
		}
		if !reflect.DeepEqual(gotStates, wantStates) {
			t.Errorf("trial %d: the store differs from in-order delivery:\n got %q\nwant %q", trial, gotStates, wantStates)
		}
		if diffs, err := hooked.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
			t.Errorf("trial %d: check: %v %v", trial, err, diffs)
		}
		if !reflect.DeepEqual(skipped, wantSkipped) {
			t.Errorf("trial %d: steps left out %q, in order %q", trial, skipped, wantSkipped)
		}
		got, err := intercom.CompareObserved(hooked.EachEvent)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("trial %d: delivered out of order:\n got %+v\nwant %+v", trial, got, want)
		}
		gotWhatIf, err := simulate.WhatIf(hooked.EachEvent, csatOff, time.Time{})
		if err != nil || !reflect.DeepEqual(gotWhatIf.Helpdesk, wantWhatIf.Helpdesk) || gotWhatIf.Inapplicable != wantWhatIf.Inapplicable {
			t.Errorf("trial %d: whatif --set users.csat=off delivered out of order:\n got %+v\nwant %+v (%v)", trial, gotWhatIf.Helpdesk, wantWhatIf.Helpdesk, err)
		}
		late, err := domain.LateConversations(hooked.EachEvent)
		if err != nil {
			t.Fatal(err)
		}
		lateSeen += len(late)
		hooked.Close()
	}
	if lateSeen == 0 {
		t.Fatal("no trial delivered a part late")
	}
}

// statesOf lists each conversation's state and rating slots, and the
// leaderboard's counts (names aside: they are the workspace's, not a
// conversation's parts).
func statesOf(t *testing.T, st *store.Store) []string {
	t.Helper()
	var out []string
	err := st.EachConversation(func(c domain.Conversation, _ time.Time) error {
		out = append(out, fmt.Sprintf("%s %v closed %s updated %s snoozed until %s, %d messages, %d chars, customers %v",
			c.ID, c.State, c.ClosedAt.Format(time.RFC3339), c.UpdatedAt.Format(time.RFC3339), c.SnoozedUntil.Format(time.RFC3339),
			c.Messages, c.Chars, c.Customers))
		for _, s := range c.Slots {
			out = append(out, fmt.Sprintf("%s %s: %d %q changed %s", c.ID, s.Agent, s.Value, s.Comment, s.LastChangedAt.Format(time.RFC3339)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	lb, err := st.Leaderboard(store.Period{})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, fmt.Sprintf("team %+v", lb.Team))
	for _, r := range append(lb.Teammates, lb.Bots...) {
		out = append(out, fmt.Sprintf("%s %+v", r.Agent, r.Counts))
	}
	sort.Strings(out)
	return out
}
