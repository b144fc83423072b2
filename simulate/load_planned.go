package simulate

import (
	"time"

	"github.com/csat-app/csat/domain"
)

// plannedEvent is a conversation's planned event in a few bytes: its times
// from the conversation's start, in whole seconds, its text as its place
// in the generator's texts, and its actors as references to the
// conversation's customer, the team or the bots rather than copies of
// their names. A load holds the plans of every conversation in flight,
// tens of thousands at the density of a 200-person team's year and a
// hundred thousand at ten times it: at 136 bytes each (a domain.Event is
// 264) they were the biggest part of a load's heap. This is 32 bytes (40
// with its times in nanoseconds, a third of the generator's heap at the
// 10M-rating load's density) and holds no pointer, so the collector does
// not scan the plans at all: with a string in it, it marked every plan of
// every conversation in flight at every cycle.
type plannedEvent struct {
	at               planSeconds // from the conversation's start (loadConv.t0)
	until            planSeconds // a snooze's end, from at; used when snooze is set
	text             textRef
	actor, agent, by actorRef
	value            int8
	snooze           bool // until is set
	kind             domain.EventKind
	origin           domain.Origin
	channel          domain.Channel
	stage            domain.FollowStage
}

// planSeconds is a span of a plan in whole seconds. The planner moves its
// cursor by whole seconds only (loadConv.wait and the snooze truncate
// what they draw), from the conversation's start, so every time a plan
// holds is a whole number of seconds from it; 32 bits hold 68 years, and
// a plan spans weeks.
type planSeconds int32

func planSecondsOf(d time.Duration) planSeconds { return planSeconds(d / time.Second) }

func (s planSeconds) duration() time.Duration { return time.Duration(s) * time.Second }

// actorRef names an actor of a planned event: whose it is, and for a
// teammate its place in the team. Any other actor is kept once in its
// conversation's others, so every actor round-trips whatever it is.
type actorRef struct {
	who actorWho
	n   uint16 // the teammate's index, or the place in loadConv.others
}

type actorWho uint8

const (
	whoNone actorWho = iota
	whoCustomer
	whoTeammate
	whoFin
	whoWorkflow
	whoOther // loadConv.others[n]
)

// ref is the reference to a for a plan of c.
func (c *loadConv) ref(a domain.Actor) actorRef {
	switch {
	case a == domain.Actor{}:
		return actorRef{}
	case a == c.cust:
		return actorRef{who: whoCustomer}
	case a == domain.Fin:
		return actorRef{who: whoFin}
	case a == domain.Workflow:
		return actorRef{who: whoWorkflow}
	case a.Kind == domain.KindTeammate:
		if i, ok := c.gen.byName[a.Name]; ok && i <= 0xffff && c.gen.team[i].name == a.Name {
			return actorRef{who: whoTeammate, n: uint16(i)}
		}
	}
	for i, o := range c.others {
		if o == a {
			return actorRef{who: whoOther, n: uint16(i)}
		}
	}
	c.others = append(c.others, a)
	return actorRef{who: whoOther, n: uint16(len(c.others) - 1)}
}

// actor is the actor r names in a plan of c.
func (c *loadConv) actor(r actorRef) domain.Actor {
	switch r.who {
	case whoCustomer:
		return c.cust
	case whoTeammate:
		return domain.Teammate(c.gen.team[r.n].name)
	case whoFin:
		return domain.Fin
	case whoWorkflow:
		return domain.Workflow
	case whoOther:
		return c.others[r.n]
	}
	return domain.Actor{}
}

// planned is ev as a plan of c holds it.
func (c *loadConv) planned(ev *domain.Event) plannedEvent {
	p := plannedEvent{at: planSecondsOf(ev.At.Sub(c.t0())), text: c.gen.texts.ref(ev.Text), actor: c.ref(ev.Actor), agent: c.ref(ev.Agent),
		value: int8(ev.Value), kind: ev.Kind, origin: ev.Origin, channel: ev.Channel, stage: ev.Stage}
	if ev.By != "" {
		p.by = c.ref(domain.Teammate(ev.By))
	}
	if !ev.Until.IsZero() {
		p.until, p.snooze = planSecondsOf(ev.Until.Sub(ev.At)), true
	}
	return p
}

// plannedAt is the time of a planned event of c.
func (c *loadConv) plannedAt(p *plannedEvent) time.Time { return c.t0().Add(p.at.duration()) }

// event is the planned event p of c as the stream carries it.
func (c *loadConv) event(p *plannedEvent) domain.Event {
	ev := domain.Event{Kind: p.kind, At: c.plannedAt(p), Conv: c.id, Actor: c.actor(p.actor), Agent: c.actor(p.agent),
		Origin: p.origin, Channel: p.channel, Text: c.gen.texts.text(p.text), Value: int(p.value), Stage: p.stage}
	if p.by.who != whoNone {
		ev.By = c.actor(p.by).Name
	}
	if p.snooze {
		ev.Until = ev.At.Add(p.until.duration())
	}
	return ev
}

// textRef is a text's place in a generator's texts; 0 is the empty text.
type textRef uint32

// planTexts holds each distinct text of a generator's plans once: the
// word lists' texts and the few made from teammates' names.
type planTexts struct {
	all []string // all[0] is ""
	at  map[string]textRef
}

// ref is the place of s, added when new.
func (t *planTexts) ref(s string) textRef {
	if s == "" {
		return 0
	}
	if r, ok := t.at[s]; ok {
		return r
	}
	if t.at == nil {
		t.all, t.at = []string{""}, map[string]textRef{}
	}
	r := textRef(len(t.all))
	t.all = append(t.all, s)
	t.at[s] = r
	return r
}

// text is the text at r.
func (t *planTexts) text(r textRef) string {
	if r == 0 {
		return ""
	}
	return t.all[r]
}
