package intercom

import (
	"strconv"
	"time"

	"github.com/csat-app/csat/domain"
)

// partRule says what a part type does (the table in the package doc).
type partRule struct {
	effect domain.EventKind // EvClose, EvReopen or EvSnooze; EvClock for none
	note   bool             // the body is an internal note, not a message
	ignore string           // why parts of this type are left out, body and all
}

const (
	noEffect     = domain.EvClock
	ruleNoEffect = "part type has no effect on ratings"
)

// partRules covers every part type Intercom's API describes or sends. A
// type not listed counts its body, if any, as a message by its author.
var partRules = map[string]partRule{
	"comment":                          {effect: noEffect},
	"quick_reply":                      {effect: noEffect},
	"note":                             {effect: noEffect, note: true},
	"close":                            {effect: domain.EvClose},
	"open":                             {effect: domain.EvReopen},
	"unsnoozed":                        {effect: domain.EvReopen},
	"timer_unsnooze":                   {effect: domain.EvReopen},
	"note_and_reopen":                  {effect: domain.EvReopen, note: true},
	"assign_and_reopen":                {effect: domain.EvReopen},
	"assign_and_unsnooze":              {effect: domain.EvReopen},
	"snoozed":                          {effect: domain.EvSnooze},
	"assignment":                       {effect: noEffect},
	"away_mode_assignment":             {effect: noEffect},
	"default_assignment":               {effect: noEffect},
	"participant_added":                {ignore: "the added customer is taken from contacts"},
	"participant_removed":              {ignore: "a removed customer still took part"},
	"conversation_rating_changed":      {ignore: "the rating is read from conversation_rating"},
	"conversation_rating_remark_added": {ignore: "the rating is read from conversation_rating"},
	"conversation_attribute_updated_by_admin":    {ignore: ruleNoEffect},
	"conversation_attribute_updated_by_workflow": {ignore: ruleNoEffect},
	"ticket_state_updated_by_admin":              {ignore: ruleNoEffect},
	"ticket_attribute_updated_by_admin":          {ignore: ruleNoEffect},
	"custom_action_started":                      {ignore: ruleNoEffect},
	"custom_action_finished":                     {ignore: ruleNoEffect},
	"language_detection_details":                 {ignore: ruleNoEffect},
	"conversation_sla_target_missed":             {ignore: ruleNoEffect},
	"operator_workflow_event":                    {ignore: ruleNoEffect},
}

// part maps one part: its body, when it has one, is a message (or a note)
// by its author, and its type's effect closes, reopens or snoozes. A
// reply-and-close says before it closes; a reopen-with-reply reopens first.
func (p *Plan) part(conv string, part Part, next time.Time, c *Conversation, who *people) {
	what := "part " + string(part.ID) + " (" + quote(part.PartType) + ")"
	rule, known := partRules[part.PartType]
	if !known {
		rule = partRule{effect: noEffect}
	}
	switch {
	case part.ID == "":
		p.skip(what, "part has no id")
		return
	case part.CreatedAt == 0:
		p.skip(what, "part has no created_at")
		return
	case rule.ignore != "":
		p.skip(what, rule.ignore)
		return
	}
	actor, ok := who.actor(part.Author)
	if !ok {
		p.skip(what, "author is not a contact, admin or bot")
		return
	}
	at := part.CreatedAt.Time()
	key := "part/" + conv + "/" + string(part.ID)
	text := Text(part.Body)
	var msg *Step
	if text != "" {
		kind := domain.EvSay
		if rule.note {
			kind = domain.EvNote
		}
		msgKey := key
		if rule.effect != noEffect {
			msgKey = key + "/body"
		}
		if kind == domain.EvNote && !actor.IsTeammate() {
			p.skip(what, "a note by "+actor.String()+" (only teammates write notes)")
		} else {
			msg = &Step{Key: msgKey, What: what, Event: domain.Event{Kind: kind, At: at, Conv: conv, Actor: actor, Text: text}}
		}
	}
	if rule.effect == noEffect {
		if msg == nil {
			p.skip(what, "part has no body and its type no effect on ratings")
			return
		}
		p.add(*msg)
		return
	}
	ev := domain.Event{Kind: rule.effect, At: at, Conv: conv, Actor: actor}
	if rule.effect == domain.EvSnooze {
		ev.Until = snoozeEnd(c, at, next)
	}
	effect := Step{Key: key, What: what, Event: ev}
	switch {
	case msg == nil:
		p.add(effect)
	case rule.effect == domain.EvReopen:
		p.add(effect)
		p.add(*msg)
	default:
		p.add(*msg)
		p.add(effect)
	}
}

// snoozeEnd: parts do not carry the snooze's end; the conversation's
// snoozed_until when it is still ahead, else the next part, else a day.
func snoozeEnd(c *Conversation, at, next time.Time) time.Time {
	switch {
	case c.SnoozedUntil.Time().After(at) && next.IsZero():
		return c.SnoozedUntil.Time()
	case next.After(at):
		return next
	}
	return at.Add(24 * time.Hour)
}

// lessPart orders parts by created_at, then by part id (numerically when
// both are numbers), whatever order the payload lists them in.
func lessPart(a, b Part) bool {
	if a.CreatedAt != b.CreatedAt {
		return a.CreatedAt < b.CreatedAt
	}
	x, errA := strconv.ParseUint(string(a.ID), 10, 64)
	y, errB := strconv.ParseUint(string(b.ID), 10, 64)
	if errA == nil && errB == nil {
		return x < y
	}
	return a.ID < b.ID
}
