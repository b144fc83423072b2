package intercom

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
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
	// Truncated is set when the conversation has more parts than the
	// payload lists (the API lists at most 500).
	Truncated bool
	// Aliases are keys recording admin ids that write as bots
	// ("botadmin/274=operator"), so a later rating naming only the id is
	// the bot's (see Ingester.plan).
	Aliases []string
}

// Map turns an Intercom conversation (REST or webhook item) into steps. It
// never fails half-way: a payload that cannot be mapped returns an error
// naming the field, and no plan.
func Map(c *Conversation) (Plan, error) {
	if c.ID == "" {
		return Plan{}, fmt.Errorf("field id: missing")
	}
	conv := string(c.ID)
	if !domain.ValidName(conv) {
		return Plan{}, fmt.Errorf("field id: %q is not a conversation id ([A-Za-z0-9_.-]+)", c.ID)
	}
	if c.CreatedAt == 0 {
		return Plan{}, fmt.Errorf("field created_at: missing")
	}
	var parts []Part
	if c.Parts != nil {
		parts = append(parts, c.Parts.Parts...)
	}
	sort.SliceStable(parts, func(i, j int) bool { return lessPart(parts[i], parts[j]) })
	who := newPeople(c)
	src := source(c)
	if src != nil {
		who.learn(src.Author, c.CreatedAt)
	}
	for i := range parts {
		who.learn(parts[i].Author, parts[i].CreatedAt)
	}
	refs := contactRefs(c, src)
	for _, r := range refs {
		who.learn(r, c.CreatedAt)
	}
	customers := customersOf(refs, who)
	if len(customers) == 0 {
		return Plan{}, fmt.Errorf("field contacts.contacts: no customer (user or lead) in conversation %s", conv)
	}
	p := Plan{Conv: conv, Truncated: c.Parts != nil && c.Parts.TotalCount > len(c.Parts.Parts)}
	p.opening(c, src, customers, who)
	for i, part := range parts {
		next := time.Time{}
		if i+1 < len(parts) {
			next = parts[i+1].CreatedAt.Time()
		}
		p.part(conv, part, next, c, who)
	}
	if c.Rating != nil {
		p.rating(conv, c.Rating, who)
	}
	if c.AIAgent != nil {
		p.finRating(conv, c.AIAgent, customers[0])
	}
	p.team(c, parts)
	p.names(who)
	SortSteps(p.Steps) // oldest first, as an import applies them
	p.alias(who)
	return p, nil
}

// alias records the admin ids seen writing as bots.
func (p *Plan) alias(who *people) {
	for id, a := range who.bots {
		p.Aliases = append(p.Aliases, aliasKey(id, a))
	}
	sort.Strings(p.Aliases)
}

// aliasKey records that admin id writes as bot a.
func aliasKey(id string, a domain.Actor) string { return aliasPrefix + id + "=" + a.Name }

const aliasPrefix = "botadmin/"

func (p *Plan) add(s Step)               { p.Steps = append(p.Steps, s) }
func (p *Plan) skip(what, reason string) { p.Skipped = append(p.Skipped, Skip{what, reason}) }

func quote(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// source is the opening message: source in API v2, conversation_message in v1.
func source(c *Conversation) *Source {
	if c.Source != nil {
		return c.Source
	}
	return c.ConversationMessage
}

// contactRefs lists the customers' references: the opening message's
// author when a contact, then the listed contacts (v2 contacts, v1 user
// and customers).
func contactRefs(c *Conversation, src *Source) []*Ref {
	var refs []*Ref
	if src != nil && src.Author != nil && isCustomerType(src.Author.Type) {
		refs = append(refs, src.Author)
	}
	if c.Contacts != nil {
		for i := range c.Contacts.Contacts {
			refs = append(refs, &c.Contacts.Contacts[i])
		}
	}
	if c.User != nil {
		refs = append(refs, c.User)
	}
	for i := range c.Customers {
		refs = append(refs, &c.Customers[i])
	}
	return refs
}

// customersOf is one customer per contact id, in order of appearance.
func customersOf(refs []*Ref, who *people) []domain.Actor {
	var out []domain.Actor
	seen := map[string]bool{}
	for _, r := range refs {
		a, ok := who.customer(r)
		if ok && !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a)
		}
	}
	return out
}

// opening maps the start, the other customers and the opening message. The
// start names Intercom as the helpdesk that decides this conversation's
// surveys: its rules' sends arrive as observed ratings and requests.
func (p *Plan) opening(c *Conversation, src *Source, customers []domain.Actor, who *people) {
	conv, start := p.Conv, c.CreatedAt.Time()
	origin, opener := originOf(src, who)
	channel := domain.ChannelMessenger
	if src != nil && src.Type == "email" {
		channel = domain.ChannelEmail
	}
	p.add(Step{Key: "conv/" + conv, What: "conversation " + conv,
		Event: domain.Event{Kind: domain.EvStart, At: start, Conv: conv, Actor: customers[0], Origin: origin, Channel: channel, Agent: opener, By: markSource}})
	for _, a := range customers[1:] {
		p.add(Step{Key: "contact/" + conv + "/" + a.Name, What: "contact " + a.Name,
			Event: domain.Event{Kind: domain.EvAdd, At: start, Conv: conv, Actor: a}})
	}
	if src == nil || src.Author == nil {
		return
	}
	who2, ok := who.actor(src.Author)
	switch {
	case !ok:
		p.skip("opening message", "author type "+quote(src.Author.Type)+" is not a contact, admin or bot")
	case Text(src.Body) == "":
		// An opening without text (a Workflow's empty start) is no message.
	default:
		p.add(Step{Key: "source/" + conv, What: "opening message",
			Event: domain.Event{Kind: domain.EvSay, At: start, Conv: conv, Actor: who2, Text: Text(src.Body)}})
	}
}

// originOf reads source.delivered_as: customer_initiated → inbound;
// admin_initiated → direct (opened by the source's admin); operator_initiated
// (Custom Bots) and automated (Series, Workflows) → workflow;
// campaigns_initiated (legacy outbound messages) → message, or
// visitor-message when the customer is a lead.
func originOf(src *Source, who *people) (domain.Origin, domain.Actor) {
	if src == nil {
		return domain.OriginInbound, domain.Actor{}
	}
	switch src.DeliveredAs {
	case "admin_initiated":
		if a, ok := who.actor(src.Author); ok && a.IsTeammate() {
			return domain.OriginDirect, a
		}
		return domain.OriginMessage, domain.Actor{}
	case "operator_initiated", "automated":
		return domain.OriginWorkflow, domain.Actor{}
	case "campaigns_initiated":
		if a := src.Author; a != nil && a.Type == "lead" {
			return domain.OriginVisitorMessage, domain.Actor{}
		}
		return domain.OriginMessage, domain.Actor{}
	}
	return domain.OriginInbound, domain.Actor{}
}

// rating maps conversation_rating: a request Intercom reports
// (requested_at), then the rating of the teammate it names.
func (p *Plan) rating(conv string, r *Rating, who *people) {
	cust := r.Contact
	if cust == nil {
		cust = r.Customer // v1 shape
	}
	customer, ok := who.customer(cust)
	var agent domain.Actor
	if r.Teammate != nil && r.Teammate.ID != "" {
		mate := *r.Teammate
		if mate.Type == "" {
			mate.Type = "admin" // a bare reference names an admin
		}
		agent, _ = who.actor(&mate)
	}
	what := "rating"
	if r.Rating != nil {
		what += " " + strconv.Itoa(*r.Rating)
	}
	switch {
	case r.Rating == nil && r.RequestedAt == 0:
		return // no survey known
	case r.Rating != nil && (*r.Rating < 1 || *r.Rating > 5):
		p.skip(what, "rating is outside 1..5")
		return
	case !ok:
		p.skip(what, "rating names no contact or customer")
		return
	case !agent.IsAgent():
		p.skip(what, "rating names no teammate")
		return
	case r.Rating != nil && r.CreatedAt == 0:
		p.skip(what, "rating has no created_at")
		return
	}
	if r.RequestedAt != 0 {
		at := r.RequestedAt.Time()
		p.add(Step{Key: "request/" + conv + "/" + agent.Name, What: "survey request for " + agent.Name,
			Event: domain.Event{Kind: domain.EvObserve, At: at, Conv: conv, Actor: customer, Agent: agent, Until: at}})
	}
	if r.Rating == nil {
		return
	}
	asked := r.CreatedAt.Time()
	if r.RequestedAt != 0 {
		asked = r.RequestedAt.Time()
	}
	p.observe(conv, what, customer, agent, *r.Rating, Text(r.Remark), asked, r.CreatedAt, r.UpdatedAt)
}

// finRating maps ai_agent.rating: the customer's rating of Fin.
func (p *Plan) finRating(conv string, a *AIAgent, customer domain.Actor) {
	if a.Rating == nil {
		return
	}
	what := "Fin rating " + strconv.Itoa(*a.Rating)
	switch {
	case *a.Rating < 1 || *a.Rating > 5:
		p.skip(what, "rating is outside 1..5")
		return
	case a.CreatedAt == 0:
		p.skip(what, "rating has no created_at")
		return
	}
	p.observe(conv, what, customer, domain.Fin, *a.Rating, Text(a.RatingRemark), a.CreatedAt.Time(), a.CreatedAt, a.UpdatedAt)
}

// observe adds an observed rating. Its key holds the value, the remark and
// updated_at, so a changed rating is a new step and a redelivered one is not.
func (p *Plan) observe(conv, what string, customer, agent domain.Actor, value int, remark string, asked time.Time, created, updated Timestamp) {
	at := created.Time()
	if updated > created {
		at = updated.Time()
	}
	sum := sha1.Sum([]byte(remark))
	key := "rating/" + conv + "/" + agent.Name + "/" + strconv.Itoa(value) + "/" + hex.EncodeToString(sum[:4]) + "/" + strconv.FormatInt(int64(updated), 10)
	p.add(Step{Key: key, What: what + " for " + agent.Name,
		Event: domain.Event{Kind: domain.EvObserve, At: at, Conv: conv, Actor: customer, Agent: agent, Value: value, Text: remark, Until: asked, Updated: at}})
}

// names adds the display names the payload shows, at the time each was
// seen, so the newest name wins wherever payloads arrive from.
func (p *Plan) names(who *people) {
	actors := make([]domain.Actor, 0, len(who.names))
	for a := range who.names {
		actors = append(actors, a)
	}
	sort.Slice(actors, func(i, j int) bool { return actors[i].String() < actors[j].String() })
	for _, a := range actors {
		n := who.names[a]
		sum := sha1.Sum([]byte(n.display + "\x00" + n.email))
		key := "name/" + strconv.Itoa(int(a.Kind)) + "/" + a.Name + "/" + hex.EncodeToString(sum[:4]) + "/" + strconv.FormatInt(int64(n.at), 10)
		p.add(Step{Key: key, What: "name of " + a.String(),
			Event: domain.Event{Kind: domain.EvName, At: n.at.Time(), Actor: a, Text: n.display, By: n.email}})
	}
}

// team maps team_assignee_id: the team the conversation is assigned to as
// of the payload's updated_at (never before its latest part), so the
// newest payload's team wins whatever order payloads arrive in. A payload
// without the field says nothing; null or 0 is no team. The key holds the
// time, so a later move back to an earlier team is a new step.
func (p *Plan) team(c *Conversation, parts []Part) {
	if !c.TeamAssignee.Set {
		return
	}
	id := string(c.TeamAssignee.ID)
	if id == "0" {
		id = ""
	}
	if id != "" && !domain.ValidName(id) {
		p.skip("team_assignee_id "+strconv.Quote(id), "not a team id ([A-Za-z0-9_.-]+)")
		return
	}
	at := c.CreatedAt
	if c.UpdatedAt > at {
		at = c.UpdatedAt
	}
	for _, part := range parts {
		if part.CreatedAt > at {
			at = part.CreatedAt
		}
	}
	p.add(Step{Key: "team/" + p.Conv + "/" + id + "/" + strconv.FormatInt(int64(at), 10), What: "team assignment " + quote(id),
		Event: domain.Event{Kind: domain.EvAssign, At: at.Time(), Conv: p.Conv, Text: id}})
}
