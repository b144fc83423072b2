package intercom_test

import (
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

// stateChange matches a notification whose part opens, closes or snoozes
// its conversation, that carries its rating, or a part by an admin who
// writes as Operator (which a rating of that admin goes to).
var stateChange = regexp.MustCompile(`"part_type":"(close|open|unsnoozed|timer_unsnooze|assign_and_reopen|assign_and_unsnooze|note_and_reopen|snoozed)"|"topic":"conversation.rating.added"|"name":"Operator"`)

// shuffled delivers the notifications in an order drawn from r, except
// that each conversation's opening, closing and snoozing parts and its
// rating keep their order among themselves; its messages and notes go
// anywhere. (A reopen delivered before the close it follows is refused
// and lost, and a rating delivered before the part that shows its admin
// writes as Operator stays the admin's.)
func shuffled(bodies [][]byte, r *rand.Rand) [][]byte {
	perm := r.Perm(len(bodies))
	var states []int // positions in perm holding a state change
	for pos, i := range perm {
		if stateChange.Match(bodies[i]) {
			states = append(states, pos)
		}
	}
	// Put the state changes back in their original order, at the
	// positions the shuffle gave them: notifications of different
	// conversations commute, so this is any order of the others.
	var orig []int
	for _, pos := range states {
		orig = append(orig, perm[pos])
	}
	sort.Ints(orig)
	for k, pos := range states {
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
// order: each conversation's parts are decided in their place.
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
		if trial == 0 {
			wantSkipped = skipped
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
