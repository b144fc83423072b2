package domain

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// StartOf is the conversation a valid start begins: what the start fixes
// (origin, channel, audience, opener, helpdesk) and its clock, exactly as
// Apply records it.
func TestStartOf(t *testing.T) {
	at := time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC) // no earliest date
	for _, c := range []struct {
		name     string
		ev       Event
		audience Audience
		opener   string
	}{
		{"inbound from a user", Event{Kind: EvStart, Conv: "c1", Actor: User("山田 太郎"), Origin: OriginInbound}, AudienceUsers, ""},
		{"inbound from a lead, by email", Event{Kind: EvStart, Conv: "c2", Actor: Lead("Chloé"), Origin: OriginInbound, Channel: ChannelEmail}, AudienceLeads, ""},
		{"direct, opened by a teammate", Event{Kind: EvStart, Conv: "c3", Actor: User("u"), Origin: OriginDirect, Agent: Teammate("ana")}, AudienceUsers, "ana"},
		{"a workflow's, to a lead", Event{Kind: EvStart, Conv: "c4", Actor: Lead("l"), Origin: OriginWorkflow}, AudienceLeads, ""},
		{"a helpdesk's", Event{Kind: EvStart, Conv: "c5", Actor: User("u"), Origin: OriginAPI, By: "intercom"}, AudienceUsers, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.ev.At = at
			got := StartOf(c.ev)
			want := Conversation{
				ID: c.ev.Conv, Origin: c.ev.Origin, Channel: c.ev.Channel, Audience: c.audience, OpenedBy: c.opener,
				StartedAt: at, LastReplyAt: at, UpdatedAt: at, Customers: []Actor{c.ev.Actor}, Helpdesk: c.ev.By,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("StartOf = %+v\nwant %+v", got, want)
			}
			w := NewWorkspace()
			if _, err := w.Apply(c.ev); err != nil {
				t.Fatal(err)
			}
			if applied := w.Conversations[c.ev.Conv]; !reflect.DeepEqual(*applied, got) {
				t.Errorf("Apply recorded %+v\nStartOf says %+v", *applied, got)
			}
		})
	}
}

// A part is late when it is earlier than its conversation's latest part,
// and only then: at the same time it keeps its place. Apply refuses a
// late part with ErrLate, and LateFinder names its conversation.
func TestIsLate(t *testing.T) {
	latest := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		at   time.Time
		late bool
	}{
		{"a nanosecond earlier", latest.Add(-time.Nanosecond), true},
		{"centuries earlier", time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"at the same time", latest, false},
		{"at the same time elsewhere", latest.In(time.FixedZone("UTC+9", 9*3600)), false},
		{"later", latest.Add(time.Second), false},
		{"past 2262", time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := IsLate(c.at, latest); got != c.late {
				t.Fatalf("IsLate(%s, %s) = %v, want %v", c.at, latest, got, c.late)
			}
			w := NewWorkspace()
			start := Event{Kind: EvStart, At: latest, Conv: "c", Actor: User("u")}
			note := Event{Kind: EvNote, At: c.at, Conv: "c", Actor: Teammate("ana"), Text: "n"}
			if _, err := w.Apply(start); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Apply(note); (err != nil) != c.late || c.late && !errors.Is(err, ErrLate) {
				t.Errorf("Apply of the part: %v, late %v", err, c.late)
			}
			f := NewLateFinder()
			f.Late(start)
			if got := f.Late(note); got != c.late {
				t.Errorf("LateFinder: %v, want %v", got, c.late)
			}
		})
	}
}
