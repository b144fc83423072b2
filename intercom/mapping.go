package intercom

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"html"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
)

// Step is one domain event mapped from Intercom, with the key that makes it
// idempotent: a step whose key was seen before is never applied again.
type Step struct {
	Key   string
	What  string // for reports: "part 456 (comment)"
	Event domain.Event
}

// Skip is a piece of a payload that was left out, and why.
type Skip struct {
	What   string `json:"what"`
	Reason string `json:"reason"`
}

// Plan is one Intercom conversation mapped to steps, oldest first.
type Plan struct {
	Conv    string
	Steps   []Step
	Skipped []Skip
	// Learned lists admins named for the first time, as "admin/<id>=<name>" keys.
	Learned []string
}

// Map turns an Intercom conversation (REST or webhook item) into steps. It
// never fails half-way: a payload that cannot be mapped returns an error
// naming the field, and no plan.
func Map(c *Conversation, names *Names) (Plan, error) {
	if c.ID == "" {
		return Plan{}, fmt.Errorf("field id: missing")
	}
	conv := Sanitize(string(c.ID))
	if conv != string(c.ID) {
		return Plan{}, fmt.Errorf("field id: %q is not a conversation id ([A-Za-z0-9_.-]+)", c.ID)
	}
	if c.CreatedAt == 0 {
		return Plan{}, fmt.Errorf("field created_at: missing")
	}
	p := Plan{Conv: conv}
	var parts []Part
	if c.Parts != nil {
		parts = append(parts, c.Parts.Parts...)
	}
	// Parts arrive newest first in some exports: order them, stably, by time.
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].CreatedAt < parts[j].CreatedAt })

	// Learn names and contact roles from every author before mapping, so a
	// reference that carries only an id still resolves.
	roles := map[string]string{}
	learn := func(r *Ref) {
		if r == nil || r.ID == "" {
			return
		}
		switch r.Type {
		case "admin":
			if r.Name != "" {
				if name, isNew := names.Learn(string(r.ID), r.Name); isNew {
					p.Learned = append(p.Learned, "admin/"+string(r.ID)+"="+name)
				}
			}
		case "user", "lead":
			roles[string(r.ID)] = r.Type
		}
	}
	if c.Source != nil {
		learn(c.Source.Author)
	}
	for i := range parts {
		learn(parts[i].Author)
	}
	if c.User != nil {
		learn(c.User)
	}
	for i := range c.Customers {
		learn(&c.Customers[i])
	}

	// The customers: the source's author when a contact, then the listed contacts.
	var contacts []*Ref
	if c.Source != nil && c.Source.Author != nil && isCustomerType(c.Source.Author.Type) {
		contacts = append(contacts, c.Source.Author)
	}
	if c.Contacts != nil {
		for i := range c.Contacts.Contacts {
			contacts = append(contacts, &c.Contacts.Contacts[i])
		}
	}
	if c.User != nil {
		contacts = append(contacts, c.User)
	}
	for i := range c.Customers {
		contacts = append(contacts, &c.Customers[i])
	}
	var customers []domain.Actor
	for _, r := range contacts {
		a, ok := customer(r, roles)
		if !ok {
			continue
		}
		dup := false
		for _, x := range customers {
			dup = dup || x.Name == a.Name // user:x and lead:x are one Intercom contact
		}
		if !dup {
			customers = append(customers, a)
		}
	}
	if len(customers) == 0 {
		return Plan{}, fmt.Errorf("field contacts.contacts: no customer (user or lead) in conversation %s", conv)
	}

	start := c.CreatedAt.Time()
	origin, opener := originOf(c, names)
	channel := domain.ChannelMessenger
	if c.Source != nil && c.Source.Type == "email" {
		channel = domain.ChannelEmail
	}
	p.add(Step{Key: "conv/" + conv, What: "conversation " + conv,
		Event: domain.Event{Kind: domain.EvStart, At: start, Conv: conv, Actor: customers[0], Origin: origin, Channel: channel, Agent: opener}})
	for _, a := range customers[1:] {
		p.add(Step{Key: "contact/" + conv + "/" + a.Name, What: "contact " + a.Name,
			Event: domain.Event{Kind: domain.EvAdd, At: start, Conv: conv, Actor: a}})
	}
	if c.Source != nil && c.Source.Author != nil {
		if who, ok := author(c.Source.Author, names, roles); ok {
			p.add(Step{Key: "source/" + conv, What: "opening message",
				Event: domain.Event{Kind: domain.EvSay, At: start, Conv: conv, Actor: who, Text: Text(c.Source.Body)}})
		} else {
			p.Skipped = append(p.Skipped, Skip{"opening message", "author type " + quote(c.Source.Author.Type) + " is not a contact, admin or bot"})
		}
	}
	for i, part := range parts {
		next := time.Time{}
		if i+1 < len(parts) {
			next = parts[i+1].CreatedAt.Time()
		}
		p.part(conv, part, next, c, names, roles)
	}
	if c.Rating != nil {
		p.rating(conv, c.Rating, names, roles)
	}
	return p, nil
}

func (p *Plan) add(s Step) { p.Steps = append(p.Steps, s) }

func quote(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// originOf reads source.delivered_as: customer_initiated → inbound;
// admin_initiated → direct (opened by the source's admin); operator_initiated
// (Custom Bots) and automated (Series, Workflows) → workflow;
// campaigns_initiated (legacy outbound messages) → message, or
// visitor-message when the customer is a lead.
func originOf(c *Conversation, names *Names) (domain.Origin, domain.Actor) {
	if c.Source == nil {
		return domain.OriginInbound, domain.Actor{}
	}
	switch c.Source.DeliveredAs {
	case "admin_initiated":
		if a := c.Source.Author; a != nil && a.Type == "admin" && a.ID != "" {
			return domain.OriginDirect, names.Admin(string(a.ID))
		}
		return domain.OriginMessage, domain.Actor{}
	case "operator_initiated", "automated":
		return domain.OriginWorkflow, domain.Actor{}
	case "campaigns_initiated":
		if a := c.Source.Author; a != nil && a.Type == "lead" {
			return domain.OriginVisitorMessage, domain.Actor{}
		}
		return domain.OriginMessage, domain.Actor{}
	}
	return domain.OriginInbound, domain.Actor{}
}

// author maps a part's author: contacts to customers, admins to teammates,
// bots and teams to bot agents.
func author(r *Ref, names *Names, roles map[string]string) (domain.Actor, bool) {
	if r == nil {
		return domain.Actor{}, false
	}
	switch {
	case isCustomerType(r.Type):
		return customer(r, roles)
	case r.Type == "admin" && r.ID != "":
		return names.Admin(string(r.ID)), true
	case r.Type == "bot" || r.Type == "team":
		return bot(r), true
	}
	return domain.Actor{}, false
}

func (p *Plan) part(conv string, part Part, next time.Time, c *Conversation, names *Names, roles map[string]string) {
	what := "part " + string(part.ID) + " (" + quote(part.PartType) + ")"
	if part.ID == "" {
		p.Skipped = append(p.Skipped, Skip{what, "part has no id"})
		return
	}
	if part.CreatedAt == 0 {
		p.Skipped = append(p.Skipped, Skip{what, "part has no created_at"})
		return
	}
	who, ok := author(part.Author, names, roles)
	if !ok {
		p.Skipped = append(p.Skipped, Skip{what, "author is not a contact, admin or bot"})
		return
	}
	at := part.CreatedAt.Time()
	ev := domain.Event{At: at, Conv: conv, Actor: who}
	switch part.PartType {
	case "comment":
		ev.Kind, ev.Text = domain.EvSay, Text(part.Body)
	case "note":
		ev.Kind, ev.Text = domain.EvNote, Text(part.Body)
	case "close":
		ev.Kind = domain.EvClose
	case "open", "unsnoozed":
		ev.Kind = domain.EvReopen
	case "snoozed":
		// Parts do not carry the snooze's end: the conversation's snoozed_until
		// when it is still ahead, else the next part, else a day.
		ev.Kind = domain.EvSnooze
		switch {
		case c.SnoozedUntil.Time().After(at) && next.IsZero():
			ev.Until = c.SnoozedUntil.Time()
		case next.After(at):
			ev.Until = next
		default:
			ev.Until = at.Add(24 * time.Hour)
		}
	case "participant_added":
		p.Skipped = append(p.Skipped, Skip{what, "the added customer is taken from contacts"})
		return
	default:
		p.Skipped = append(p.Skipped, Skip{what, "part type has no effect on ratings"})
		return
	}
	p.add(Step{Key: "part/" + conv + "/" + string(part.ID), What: what, Event: ev})
}

func (p *Plan) rating(conv string, r *Rating, names *Names, roles map[string]string) {
	if r.Rating == nil {
		return // no rating yet
	}
	what := "rating " + strconv.Itoa(*r.Rating)
	cust := r.Contact
	if cust == nil {
		cust = r.Customer // v1 shape
	}
	who, ok := customer(cust, roles)
	switch {
	case *r.Rating < 1 || *r.Rating > 5:
		p.Skipped = append(p.Skipped, Skip{what, "rating is outside 1..5"})
		return
	case !ok:
		p.Skipped = append(p.Skipped, Skip{what, "rating names no contact or customer"})
		return
	case r.Teammate == nil || r.Teammate.ID == "":
		p.Skipped = append(p.Skipped, Skip{what, "rating names no teammate"})
		return
	case r.CreatedAt == 0:
		p.Skipped = append(p.Skipped, Skip{what, "rating has no created_at"})
		return
	}
	var agent domain.Actor
	if r.Teammate.Type == "bot" || r.Teammate.Type == "team" {
		agent = bot(r.Teammate)
	} else {
		agent = names.Admin(string(r.Teammate.ID))
	}
	asked := r.CreatedAt.Time()
	at := asked
	if r.UpdatedAt.Time().After(at) {
		at = r.UpdatedAt.Time()
	}
	remark := Text(r.Remark)
	sum := sha1.Sum([]byte(remark))
	key := "rating/" + conv + "/" + agent.Name + "/" + strconv.Itoa(*r.Rating) + "/" + hex.EncodeToString(sum[:4]) + "/" + strconv.FormatInt(int64(r.UpdatedAt), 10)
	p.add(Step{Key: key, What: what + " for " + agent.Name,
		Event: domain.Event{Kind: domain.EvObserve, At: at, Conv: conv, Actor: who, Agent: agent, Value: *r.Rating, Text: remark, Until: asked}})
}

// Text turns an HTML body into the plain text customers read: tags dropped,
// block ends as spaces, entities decoded, runs of space collapsed. Its
// length in code points is what the length rule counts.
func Text(body string) string {
	if !strings.ContainsAny(body, "<&") {
		return strings.Join(strings.Fields(body), " ")
	}
	var b strings.Builder
	in := false
	for _, r := range body {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}
