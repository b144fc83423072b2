package domain

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestConversationReadsSetting(t *testing.T) {
	read := func(aud Audience, origin Origin) string {
		c := &Conversation{Audience: aud, Origin: origin}
		var keys []string
		for _, k := range AllSettingKeys() {
			if c.ReadsSetting(k) {
				keys = append(keys, k.String())
			}
		}
		return strings.Join(keys, " ")
	}
	always := "workspace.followup workspace.profile"
	for _, c := range []struct {
		aud    Audience
		origin Origin
		want   string
	}{
		{AudienceUsers, OriginInbound, "users.csat users.rating-window users.change-window " + always},
		{AudienceUsers, OriginDirect, "users.csat users.direct-outbound users.rating-window users.change-window " + always},
		{AudienceUsers, OriginWorkflow, "users.csat users.workflow-outbound users.rating-window users.change-window " + always},
		{AudienceUsers, OriginAPI, "users.csat users.workflow-outbound users.rating-window users.change-window " + always},
		{AudienceUsers, OriginMessage, "users.csat users.rating-window users.change-window " + always},
		{AudienceUsers, OriginVisitorMessage, "users.csat users.rating-window users.change-window " + always},
		{AudienceUsers, OriginCustomBot, "users.csat users.workflow-outbound users.rating-window users.change-window " + always},
		{AudienceLeads, OriginInbound, "leads.csat leads.rating-window leads.change-window " + always},
		{AudienceLeads, OriginDirect, "leads.csat leads.direct-outbound leads.rating-window leads.change-window " + always},
		{AudienceLeads, OriginCustomBot, "leads.csat leads.workflow-outbound leads.rating-window leads.change-window " + always},
	} {
		if got := read(c.aud, c.origin); got != c.want {
			t.Errorf("a %s conversation of %s reads %q, want %q", c.origin, c.aud, got, c.want)
		}
	}
}

// settingValues are values of every setting key, two or more each.
var settingValues = map[string][]string{
	"csat": {"on", "off"}, "direct-outbound": {"on", "off"}, "workflow-outbound": {"on", "off"},
	"rating-window": {"off", "1", "30"}, "change-window": {"off", "1", "30"},
	"survey-app": {"builtin", "messenger:nps"}, "hide-scores": {"on", "off"},
	"target": {"80", "66.7%"}, "followup": {"negative", "negative+bad"}, "profile": {"intercom", "operator"},
}

// A conversation's decisions change with a setting only if it reads it:
// every conversation of random histories, of each audience and origin,
// applied under random settings and again with one setting changed,
// decides the same unless ReadsSetting says it reads that setting. And
// each setting it says a conversation reads does change a decision of
// some history (the histories go on until each has).
func TestSettingsAConversationDoesNotReadChangeNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 14))
	changed := map[string]bool{}
	keys := AllSettingKeys()
	wanted := 0
	for _, aud := range []Audience{AudienceUsers, AudienceLeads} {
		for o := range Origin(len(originNames)) {
			for _, k := range keys {
				if (&Conversation{Audience: aud, Origin: o}).ReadsSetting(k) {
					wanted++
				}
			}
		}
	}
	for trial := 0; trial < 200000 && len(changed) < wanted; trial++ {
		base := randomSettings(r)
		evs := randomConversation(r, fmt.Sprintf("c%d", trial))
		c := &Conversation{Origin: evs[0].Origin, Audience: AudienceUsers}
		if evs[0].Actor.Kind == KindLead {
			c.Audience = AudienceLeads
		}
		k := keys[r.IntN(len(keys))]
		for trial%2 == 0 && !c.ReadsSetting(k) {
			k = keys[r.IntN(len(keys))] // half the trials on a key it reads
		}
		if trial%8 == 0 {
			k = SettingKey{"workspace", "followup"} // it needs a rating in the queue under one threshold only
		}
		other := base
		vals := settingValues[k.Name]
		for other.Get(k) == base.Get(k) {
			if err := other.Set(k, vals[r.IntN(len(vals))]); err != nil {
				t.Fatal(err)
			}
		}
		a, b := decisions(base, evs), decisions(other, evs)
		if reflect.DeepEqual(a, b) {
			continue
		}
		changed[fmt.Sprint(c.Audience, c.Origin, k)] = true
		if !c.ReadsSetting(k) {
			t.Fatalf("%s=%s → %s changed a %s conversation of %s, which ReadsSetting says does not read it:\n%v\n%v",
				k, base.Get(k), other.Get(k), c.Origin, c.Audience, a, b)
		}
	}
	for _, aud := range []Audience{AudienceUsers, AudienceLeads} {
		for o := range Origin(len(originNames)) {
			c := &Conversation{Audience: aud, Origin: o}
			for _, k := range AllSettingKeys() {
				if c.ReadsSetting(k) && !changed[fmt.Sprint(aud, o, k)] {
					t.Errorf("no history of a %s conversation of %s changed with %s, which ReadsSetting says it reads", o, aud, k)
				}
			}
		}
	}
}

func randomSettings(r *rand.Rand) Settings {
	s := DefaultSettings()
	for _, k := range AllSettingKeys() {
		vals := settingValues[k.Name]
		if err := s.Set(k, vals[r.IntN(len(vals))]); err != nil {
			panic(err)
		}
	}
	return s
}

// randomConversation is one conversation's history: a start of a random
// audience and origin, then replies, closes, asks, ratings, comments and
// follow-up steps, hours apart, so that windows run out.
func randomConversation(r *rand.Rand, id string) []Event {
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	cust := User("u-" + id)
	if r.IntN(2) == 0 {
		cust = Lead("l-" + id)
	}
	start := Event{Kind: EvStart, At: at, Conv: id, Actor: cust, Origin: Origin(r.IntN(len(originNames)))}
	if start.Origin == OriginDirect {
		start.Agent = Teammate("ann")
	}
	agents := []Actor{Teammate("ann"), Teammate("bob"), Workflow}
	evs := []Event{start,
		{Kind: EvSay, At: at.Add(time.Minute), Conv: id, Actor: cust, Text: strings.Repeat("why? ", 10+r.IntN(50))},
		{Kind: EvSay, At: at.Add(2 * time.Minute), Conv: id, Actor: agents[r.IntN(len(agents))], Text: strings.Repeat("here. ", 10+r.IntN(50))},
	}
	at = at.Add(2 * time.Minute)
	for range 3 + r.IntN(10) {
		at = at.Add(time.Duration(r.IntN(50*60)) * time.Minute / 60)
		ev := Event{At: at, Conv: id}
		switch r.IntN(11) {
		case 0:
			ev.Kind, ev.Actor, ev.Text = EvSay, cust, strings.Repeat("why? ", 10+r.IntN(50))
		case 1:
			ev.Kind, ev.Actor, ev.Text = EvSay, agents[r.IntN(len(agents))], strings.Repeat("here. ", 10+r.IntN(50))
		case 2, 3:
			ev.Kind, ev.Actor = EvClose, agents[r.IntN(2)]
		case 4, 10:
			ev.Kind = EvAsk
		case 5, 6:
			ev.Kind, ev.Actor, ev.Value = EvRate, cust, []int{1, 2, 2, 4, 5}[r.IntN(5)]
		case 7:
			ev.Kind, ev.Actor, ev.Text = EvComment, cust, "thanks"
		default:
			ev.Kind, ev.Agent, ev.By, ev.Stage = EvFollowUp, agents[r.IntN(2)], "ann", FollowStage(1+r.IntN(3))
		}
		evs = append(evs, ev)
	}
	return evs
}

// decisions applies evs in a workspace under settings st and lists each
// event's outcome, and its refusal if refused.
func decisions(st Settings, evs []Event) []any {
	w := NewWorkspace()
	w.Settings = st
	var out []any
	for _, ev := range evs {
		o, err := w.Apply(ev)
		out = append(out, o)
		if err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

// Only the kinds ReadsSettings names decide otherwise under other
// settings: in random histories applied under two random settings, every
// other event has the same outcome and error under both, whatever the
// decisions before it did.
func TestOnlyTheKindsThatReadSettingsDecideOtherwise(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 14))
	differed := 0
	for trial := 0; trial < 3000; trial++ {
		evs := randomConversation(r, fmt.Sprintf("c%d", trial))
		wa, wb := NewWorkspace(), NewWorkspace()
		wa.Settings, wb.Settings = randomSettings(r), randomSettings(r)
		for _, ev := range evs {
			oa, errA := wa.Apply(ev)
			ob, errB := wb.Apply(ev)
			same := reflect.DeepEqual(oa, ob) && fmt.Sprint(errA) == fmt.Sprint(errB)
			switch {
			case !same && !ev.Kind.ReadsSettings():
				t.Fatalf("a %s decided otherwise under other settings: %+v %v, %+v %v", ev.Kind, oa, errA, ob, errB)
			case !same:
				differed++
			}
		}
	}
	if differed == 0 {
		t.Fatal("no decision differed: nothing compared")
	}
}
