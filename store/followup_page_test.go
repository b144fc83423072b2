package store

import (
	"reflect"
	"strings"
	"testing"
)

func TestFollowUpPagesListTheQueueInItsOrder(t *testing.T) {
	s, _ := randomStore(t, t.TempDir(), 7, 3000)
	defer s.Close()
	for _, f := range []FollowUpFilter{{}, {IncludeResolved: true}} {
		all, err := s.FollowUps(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < 10 {
			t.Fatalf("only %d follow-ups", len(all))
		}
		got := readAll(t, 3, func(q PageQuery) (Page[FollowUpItem], error) { return s.FollowUpPage(f, q) })
		if !reflect.DeepEqual(got, all) {
			t.Fatalf("%+v: paged %d follow-ups, the queue has %d", f, len(got), len(all))
		}
		agent := all[len(all)/2].Agent
		f.Agent = agent
		mine, err := s.FollowUps(f)
		if err != nil {
			t.Fatal(err)
		}
		got = readAll(t, 2, func(q PageQuery) (Page[FollowUpItem], error) { return s.FollowUpPage(f, q) })
		if len(mine) == 0 || !reflect.DeepEqual(got, mine) {
			t.Fatalf("%s: paged %d follow-ups, the queue has %d", agent, len(got), len(mine))
		}
	}

	// Text keeps the items with every word, in any case.
	all, _ := s.FollowUps(FollowUpFilter{})
	it := all[len(all)/3]
	text := strings.ToUpper(it.Agent.Name) + " " + it.Conv
	var want []FollowUpItem
	for _, x := range all {
		hay := strings.ToLower(strings.Join([]string{x.Agent.Name, x.Customer.String(), x.Comment, x.Conv, x.FollowUp.By}, "\n"))
		if strings.Contains(hay, strings.ToLower(it.Agent.Name)) && strings.Contains(hay, strings.ToLower(it.Conv)) {
			want = append(want, x)
		}
	}
	got := readAll(t, 1, func(q PageQuery) (Page[FollowUpItem], error) {
		return s.FollowUpPage(FollowUpFilter{Text: text}, q)
	})
	if len(got) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %d items, want %d", text, len(got), len(want))
	}
}
