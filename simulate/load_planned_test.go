package simulate

import (
	"fmt"
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
	c := &loadConv{id: "s1-0", gen: g, from: start.Sub(g.begin), cust: domain.Lead("Chloé Dubois")}
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

// A planned event stays a fraction of a domain.Event, and a conversation
// in flight a few cache lines: the load holds one of each for every
// conversation in flight and every event it plans, a hundred thousand
// conversations at the 10M-rating load's density.
func TestPlannedEventIsSmall(t *testing.T) {
	if got, ev := unsafe.Sizeof(plannedEvent{}), unsafe.Sizeof(domain.Event{}); got > 32 || got*8 > ev {
		t.Errorf("plannedEvent is %d bytes (domain.Event %d): want at most 32 and an eighth of an event", got, ev)
	}
	if got := unsafe.Sizeof(loadConv{}); got > 160 {
		t.Errorf("loadConv is %d bytes: want at most 160", got)
	}
}

// A planned event holds no pointer, so the plans of every conversation in
// flight are memory the collector never scans.
func TestPlannedEventHoldsNoPointers(t *testing.T) {
	var walk func(reflect.Type) string
	walk = func(ty reflect.Type) string {
		switch ty.Kind() {
		case reflect.Struct:
			for i := range ty.NumField() {
				if p := walk(ty.Field(i).Type); p != "" {
					return ty.Field(i).Name + "." + p
				}
			}
			return ""
		case reflect.Array:
			return walk(ty.Elem())
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			return ""
		}
		return ty.Kind().String()
	}
	if p := walk(reflect.TypeFor[plannedEvent]()); p != "" {
		t.Errorf("plannedEvent holds a pointer: %s", p)
	}
}

// A conversation's buffer holds the plan ahead: once full, what was
// emitted makes room for what a decision adds, and the plan is unchanged.
func TestPlanBufferReusesTheEmittedPart(t *testing.T) {
	cfg := LoadConfig{Teammates: 5, Conversations: 10, Days: 3, Seed: 1, End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	g := newLoadGen(cfg, domain.DefaultSettings(), false)
	start := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	c := &loadConv{id: "s1-0", gen: g, from: start.Sub(g.begin), cust: domain.User("Chloé Dubois"), pending: make([]plannedEvent, 0, 4)}
	for i := range 4 {
		c.moveTo(start.Add(time.Duration(i) * time.Minute))
		c.push(domain.Event{Kind: domain.EvSay, Actor: c.cust, Text: fmt.Sprint("message ", i)})
	}
	c.head = 3 // three emitted
	c.insert(domain.Event{Kind: domain.EvRate, At: start.Add(time.Hour), Actor: c.cust, Value: 5})
	c.insert(domain.Event{Kind: domain.EvComment, At: start.Add(30 * time.Minute), Actor: c.cust, Text: "thanks"})
	if cap(c.pending) != 4 || c.head != 0 {
		t.Fatalf("buffer grew to %d (head %d): want the emitted part reused", cap(c.pending), c.head)
	}
	var got []string
	for !c.done() {
		ev := c.event(c.next())
		got = append(got, fmt.Sprintf("%s %s %q", ev.At.Sub(start), ev.Kind, ev.Text))
		c.head++
	}
	want := []string{`3m0s say "message 3"`, `30m0s comment "thanks"`, `1h0m0s rate ""`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("plan = %q, want %q", got, want)
	}
}
