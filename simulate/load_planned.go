package simulate

import (
	"time"

	"github.com/csat-app/csat/domain"
)

// plannedEvent is a conversation's planned event, holding only the fields
// the generator sets on one (its conversation is the plan's): about half
// of a domain.Event. A load holds the plans of every conversation in
// flight, tens of thousands at the density of a 200-person team's year.
type plannedEvent struct {
	at, until time.Time
	actor     domain.Actor
	agent     domain.Actor
	text, by  string
	value     int8
	kind      domain.EventKind
	origin    domain.Origin
	channel   domain.Channel
	stage     domain.FollowStage
}

func planned(ev *domain.Event) plannedEvent {
	return plannedEvent{at: ev.At, until: ev.Until, actor: ev.Actor, agent: ev.Agent, text: ev.Text, by: ev.By,
		value: int8(ev.Value), kind: ev.Kind, origin: ev.Origin, channel: ev.Channel, stage: ev.Stage}
}

func (p *plannedEvent) event(conv string) domain.Event {
	return domain.Event{Kind: p.kind, At: p.at, Conv: conv, Actor: p.actor, Agent: p.agent, Origin: p.origin,
		Channel: p.channel, Text: p.text, Value: int(p.value), Until: p.until, Stage: p.stage, By: p.by}
}
