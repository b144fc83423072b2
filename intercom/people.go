package intercom

import (
	"strings"
	"unicode"

	"github.com/csat-app/csat/domain"
)

// people resolves a payload's participants to domain actors, keyed by
// Intercom's ids: a teammate is its admin id, a customer its contact id, a
// custom bot "bot-<id>". Display names travel apart (EvName steps), so a
// name may be any text and may change.
type people struct {
	// roles holds each contact's role ("user" or "lead") as first seen in
	// time order: a lead who signs up mid-conversation stays one customer.
	roles map[string]string
	// bots holds admin ids that authored as bots (Operator, Fin), so a
	// rating's bare teammate reference to them is a bot's too.
	bots map[string]domain.Actor
	// names are the display names seen, with the time they were seen.
	names map[domain.Actor]seenName
	// fin is set when Fin (Intercom's AI agent) took part.
	fin bool
}

type seenName struct {
	display, email string
	at             Timestamp
}

func newPeople(c *Conversation) *people {
	return &people{roles: map[string]string{}, bots: map[string]domain.Actor{}, names: map[domain.Actor]seenName{},
		fin: c.AIAgentParticipated || c.AIAgent != nil}
}

// learn records what a reference says about its participant at time at.
func (p *people) learn(r *Ref, at Timestamp) {
	if r == nil || r.ID == "" {
		return
	}
	id := string(r.ID)
	if isCustomerType(r.Type) {
		role := r.Type
		if role == "contact" {
			role = r.Role
		}
		if _, ok := p.roles[id]; !ok && (role == "user" || role == "lead") {
			p.roles[id] = role
		}
	}
	a, ok := p.actor(r)
	if !ok {
		return
	}
	if a.IsBot() && r.Type == "admin" {
		p.bots[id] = a
	}
	name := strings.TrimSpace(r.Name)
	if name == "" || a == domain.Fin || a == domain.Workflow {
		return // fixed bots keep their own names
	}
	email := strings.TrimSpace(r.Email)
	if !strings.Contains(email, "@") || strings.ContainsFunc(email, unicode.IsSpace) || strings.ContainsFunc(email, unicode.IsControl) || len(email) > domain.MaxDisplayName {
		email = "" // not an address to sign in with
	}
	if prev, ok := p.names[a]; !ok || at >= prev.at {
		p.names[a] = seenName{display: name, email: email, at: at}
	}
}

// actor maps a reference: contacts to customers, admins to teammates, bots
// and teams to bot agents. ok is false for a reference that names no one
// this project can rate or count.
func (p *people) actor(r *Ref) (domain.Actor, bool) {
	if r == nil {
		return domain.Actor{}, false
	}
	switch {
	case isCustomerType(r.Type):
		return p.customer(r)
	case r.Type == "admin" && r.ID != "":
		if b, ok := botAdmin(r); ok {
			return b, true
		}
		if b, ok := p.bots[string(r.ID)]; ok {
			return b, true
		}
		id := string(r.ID)
		if !domain.ValidName(id) || isReserved(id) {
			return domain.Actor{}, false
		}
		return domain.Teammate(id), true
	case r.Type == "bot":
		return p.bot(r), true
	case r.Type == "team":
		return domain.Workflow, true
	}
	return domain.Actor{}, false
}

// customer maps a contact to one customer per contact id: its role is the
// first one the payload shows (or the stored conversation's, see plan), a
// user when nothing says.
func (p *people) customer(r *Ref) (domain.Actor, bool) {
	if r == nil || r.ID == "" || !domain.ValidName(string(r.ID)) {
		return domain.Actor{}, false
	}
	id := string(r.ID)
	role := p.roles[id]
	if role == "" {
		role = r.Type
		if role != "user" && role != "lead" {
			role = r.Role
		}
	}
	if role == "lead" {
		return domain.Lead(id), true
	}
	return domain.User(id), true
}

// bot maps a bot author: Fin by its name or AI markers (or any unnamed bot
// where Fin took part), Operator by name, a named bot with an id as its
// own bot agent, anything else as the Workflow.
func (p *people) bot(r *Ref) domain.Actor {
	name := strings.ToLower(strings.TrimSpace(r.Name))
	switch {
	case isFin(r), name == "" && p.fin:
		return domain.Fin
	case name == "operator":
		return Operator
	case name != "" && r.ID != "" && domain.ValidName("bot-"+string(r.ID)):
		return domain.Actor{Kind: domain.KindWorkflow, Name: "bot-" + string(r.ID)}
	}
	return domain.Workflow
}

// Operator is Intercom's Operator bot, a bot agent of its own.
var Operator = domain.Actor{Kind: domain.KindWorkflow, Name: "operator"}

// botAdmin recognises the bots Intercom files as admins: Operator and Fin
// write with an operator+…@intercom.io address.
func botAdmin(r *Ref) (domain.Actor, bool) {
	name := strings.ToLower(strings.TrimSpace(r.Name))
	email := strings.ToLower(r.Email)
	botMail := strings.HasPrefix(email, "operator+") && strings.HasSuffix(email, "@intercom.io")
	switch {
	case isFin(r):
		return domain.Fin, true
	case name == "operator" && (botMail || email == ""):
		return Operator, true
	}
	return domain.Actor{}, false
}

// isFin reads Fin's markers: its name, or a part Intercom says the AI agent wrote.
func isFin(r *Ref) bool {
	n := strings.ToLower(strings.TrimSpace(r.Name))
	return r.FromAIAgent || r.IsAIAnswer || n == "fin" || strings.HasPrefix(n, "fin ")
}

func isReserved(name string) bool {
	for _, r := range domain.ReservedNames {
		if strings.EqualFold(name, r) {
			return true
		}
	}
	return false
}

// isCustomerType reports whether an author or reference type names a contact.
func isCustomerType(t string) bool { return t == "user" || t == "lead" || t == "contact" }
