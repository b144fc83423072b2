package store

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
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

// TestFollowUpsOfASegment: under every filter of channel, audience and
// origin, the queue, one agent's follow-ups and their pages are the items
// whose conversation the filter matches, in the same order.
func TestFollowUpsOfASegment(t *testing.T) {
	s, _ := randomStore(t, t.TempDir(), 11, 3000)
	defer s.Close()
	all, err := s.FollowUps(FollowUpFilter{})
	if err != nil {
		t.Fatal(err)
	}
	agent := all[len(all)/2].Agent
	narrowed := 0
	for _, f := range everyFilter() {
		for _, who := range []domain.Actor{{}, agent} {
			var want []FollowUpItem
			for _, it := range all {
				c, ok := s.Conversation(it.Conv)
				if !ok {
					t.Fatalf("no conversation %s", it.Conv)
				}
				if f.Matches(domain.SegmentOf(&c)) && (who.IsZero() || it.Agent == who) {
					want = append(want, it)
				}
			}
			what := fmt.Sprintf("filter %q, agent %q", f, who.Name)
			q := FollowUpFilter{Agent: who, Segments: f}
			got, err := s.FollowUps(q)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %d follow-ups, want %d (%v)", what, len(got), len(want), err)
			}
			paged := readAll(t, 2, func(pq PageQuery) (Page[FollowUpItem], error) { return s.FollowUpPage(q, pq) })
			if !reflect.DeepEqual(paged, want) {
				t.Fatalf("%s: paged %d follow-ups, want %d", what, len(paged), len(want))
			}
			if len(want) > 0 && len(want) < len(all) && who.IsZero() {
				narrowed++
			}
		}
	}
	if narrowed < 6 {
		t.Fatalf("only %d filters kept some but not all of %d follow-ups: the stream is too uniform to test", narrowed, len(all))
	}
}
