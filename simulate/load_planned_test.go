package simulate

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/csat-app/csat/domain"
)

// A planned event gives back the event it was made from, whatever its
// actors: the customer, a teammate, a bot, and anyone else (a colleague
// who joined, a name outside the team) through the conversation's others.
func TestPlannedEventRoundTrips(t *testing.T) {
	cfg := LoadConfig{Teammates: 5, Conversations: 10, Days: 3, Seed: 1, End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	g := newLoadGen(cfg, domain.DefaultSettings(), false)
	start := time.Date(2026, 11, 29, 9, 30, 15, 250, time.UTC)
	c := &loadConv{id: "s1-0", gen: g, t0: start, t: start, cust: domain.Lead("Chloé Dubois")}
	mate := domain.Teammate(g.team[3].name)
	evs := []domain.Event{
		{Kind: domain.EvStart, At: start, Actor: c.cust, Agent: mate, Origin: domain.OriginDirect, Channel: domain.ChannelEmail},
		{Kind: domain.EvSay, At: start.Add(time.Minute), Actor: domain.Fin, Text: "山田 太郎"},
		{Kind: domain.EvAdd, At: start.Add(2 * time.Minute), Actor: domain.User("colleague")},
		{Kind: domain.EvSnooze, At: start.Add(time.Hour), Actor: mate, Until: start.Add(49 * time.Hour)},
		{Kind: domain.EvClose, At: start.Add(50 * time.Hour), Actor: domain.Workflow},
		{Kind: domain.EvRate, At: start.Add(51 * time.Hour), Actor: c.cust, Value: 4},
		{Kind: domain.EvFollowUp, At: start.Add(52 * time.Hour), Agent: domain.Teammate("not in the team"), Stage: domain.StageContacted, By: g.team[0].name, Text: "note"},
		{Kind: domain.EvFollowUp, At: start.Add(53 * time.Hour), Agent: mate, Stage: domain.StageResolved, By: "someone else"},
		{Kind: domain.EvSay, At: start.Add(-time.Hour), Actor: domain.User("colleague")},
	}
	for _, ev := range evs {
		ev.Conv = c.id
		p := c.planned(&ev)
		if got := c.event(&p); !reflect.DeepEqual(got, ev) {
			t.Errorf("planned %+v\ngave back %+v", ev, got)
		}
	}
	if len(c.others) != 3 {
		t.Errorf("others = %v, want the colleague once and the two names outside the team", c.others)
	}
}

// A planned event stays a fraction of a domain.Event: the plans in flight
// are most of a dense load's own memory.
func TestPlannedEventIsSmall(t *testing.T) {
	if got, ev := unsafe.Sizeof(plannedEvent{}), unsafe.Sizeof(domain.Event{}); got > 64 || got*4 > ev {
		t.Errorf("plannedEvent is %d bytes (domain.Event %d): want at most 64 and a quarter of an event", got, ev)
	}
}
