package domain

import (
	"fmt"
	"strings"
)

// A Segment is the slice of the workspace a conversation's counts fall in:
// its channel, its audience and whether it started inbound or outbound.
// Reports filter by any of the three, so the counters are kept per segment.
type Segment uint8

// Segment bits; a zero bit is messenger, users, inbound.
const (
	SegEmail    Segment = 1 << iota // the conversation's channel is email
	SegLeads                        // its first customer was a lead
	SegOutbound                     // a teammate, Workflow, API call or outbound message started it
	NumSegments = 8
)

// Outbound reports whether a conversation of this origin was started from
// the workspace's side (Intercom's admin_initiated and automated starts);
// inbound and visitor-message conversations were started by the customer.
func (o Origin) Outbound() bool {
	return o != OriginInbound && o != OriginVisitorMessage
}

// SegmentOf returns the segment a conversation's surveys and ratings count in.
func SegmentOf(c *Conversation) Segment {
	var s Segment
	if c.Channel == ChannelEmail {
		s |= SegEmail
	}
	if c.Audience == AudienceLeads {
		s |= SegLeads
	}
	if c.Origin.Outbound() {
		s |= SegOutbound
	}
	return s
}

// Direction is inbound or outbound, the origin filter of reports.
type Direction uint8

// Directions.
const (
	Inbound Direction = iota
	Outbound
)

func (d Direction) String() string {
	if d == Outbound {
		return "outbound"
	}
	return "inbound"
}

// Filter narrows a report to conversations of one channel, audience and
// direction; a nil field matches all.
type Filter struct {
	Channel  *Channel
	Audience *Audience
	Origin   *Direction
}

// IsZero reports whether f matches every conversation.
func (f Filter) IsZero() bool { return f.Channel == nil && f.Audience == nil && f.Origin == nil }

// Matches reports whether counts of segment s pass the filter.
func (f Filter) Matches(s Segment) bool {
	if f.Channel != nil && (*f.Channel == ChannelEmail) != (s&SegEmail != 0) {
		return false
	}
	if f.Audience != nil && (*f.Audience == AudienceLeads) != (s&SegLeads != 0) {
		return false
	}
	if f.Origin != nil && (*f.Origin == Outbound) != (s&SegOutbound != 0) {
		return false
	}
	return true
}

// String names the filter as the report flags would: "channel=email
// audience=leads", or "" when it matches all.
func (f Filter) String() string {
	var parts []string
	if f.Channel != nil {
		parts = append(parts, "channel="+f.Channel.String())
	}
	if f.Audience != nil {
		parts = append(parts, "audience="+f.Audience.String())
	}
	if f.Origin != nil {
		parts = append(parts, "origin="+f.Origin.String())
	}
	return strings.Join(parts, " ")
}

// ParseFilter reads the three filter values; "" leaves that one open.
// Channel is messenger or email, audience users or leads, origin inbound
// or outbound.
func ParseFilter(channel, audience, origin string) (Filter, error) {
	var f Filter
	if channel != "" {
		c, err := ParseChannel(channel)
		if err != nil {
			return Filter{}, err
		}
		f.Channel = &c
	}
	if audience != "" {
		a, err := ParseAudience(audience)
		if err != nil {
			return Filter{}, err
		}
		f.Audience = &a
	}
	switch origin {
	case "":
	case "inbound", "outbound":
		d := Inbound
		if origin == "outbound" {
			d = Outbound
		}
		f.Origin = &d
	default:
		return Filter{}, fmt.Errorf("unknown origin %q: want inbound or outbound", origin)
	}
	return f, nil
}

// ParseAudience reads "users" or "leads".
func ParseAudience(s string) (Audience, error) {
	switch s {
	case "users":
		return AudienceUsers, nil
	case "leads":
		return AudienceLeads, nil
	}
	return 0, fmt.Errorf("unknown audience %q: want users or leads", s)
}

// String names a segment's three parts: "email leads outbound".
func (s Segment) String() string {
	ch, aud, dir := ChannelMessenger, AudienceUsers, Inbound
	if s&SegEmail != 0 {
		ch = ChannelEmail
	}
	if s&SegLeads != 0 {
		aud = AudienceLeads
	}
	if s&SegOutbound != 0 {
		dir = Outbound
	}
	return ch.String() + " " + aud.String() + " " + dir.String()
}
