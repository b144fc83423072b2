package simulate

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/csat-app/csat/domain"
)

// loadConv is one synthetic conversation in progress: its planned events,
// earliest first, and what its later steps need to know.
//
// A load holds one for every conversation in flight, a hundred thousand
// at the 10M-rating load's density, so it keeps its times as offsets
// (8 and 4 bytes, not 24 and a pointer each) and no rand.Rand: at 160
// bytes it is a third smaller than it was (240 with those), and the
// stream is the same.
type loadConv struct {
	id  string
	gen *loadGen // whose team the plans name
	// src draws the conversation's plan (draw); it lives in the
	// conversation, not beside it (an allocation a conversation less).
	src     rand.PCG
	from    time.Duration // the start, from the generator's begin: planned events hold their times from it
	cust    domain.Actor
	mate    int // the assigned teammate
	speaker int // the teammate who spoke last in the plan, -1 for none
	mood    float64
	t       planSeconds // the planning cursor, from the start
	reopens uint8
	email   bool
	// pending holds the planned events from head on, earliest first; the
	// ones before head were emitted. The buffer is reused by a later
	// conversation once this one is done.
	pending []plannedEvent
	head    int
	others  []domain.Actor // actors of the plan other than the customer, the team and the bots
}

// draw is the conversation's random source. A rand.Rand is only its
// source: made for each draw, it stays on the stack.
func (c *loadConv) draw() *rand.Rand { return rand.New(&c.src) }

// t0 is the conversation's start.
func (c *loadConv) t0() time.Time { return c.gen.begin.Add(c.from) }

// now is the planning cursor's time.
func (c *loadConv) now() time.Time { return c.t0().Add(c.t.duration()) }

// moveTo puts the planning cursor at t, a whole number of seconds from
// the start like every time a plan holds.
func (c *loadConv) moveTo(t time.Time) { c.t = planSecondsOf(t.Sub(c.t0())) }

// next is the earliest planned event.
func (c *loadConv) next() *plannedEvent { return &c.pending[c.head] }

// nextFromBegin is the time of the earliest planned event, from the
// generator's begin.
func (c *loadConv) nextFromBegin() time.Duration { return c.from + c.next().at.duration() }

// done says every planned event was emitted.
func (c *loadConv) done() bool { return c.head == len(c.pending) }

// wait moves the planning cursor by a random span of minutes in [lo, hi).
func (c *loadConv) wait(lo, hi float64) time.Time {
	m := lo + c.draw().Float64()*(hi-lo)
	c.t += planSecondsOf(time.Duration(m * float64(time.Minute)).Truncate(time.Second))
	return c.now()
}

// replyWait moves the cursor by a teammate's reply time: mostly near their
// usual speed, sometimes much longer.
func (g *loadGen) replyWait(c *loadConv, mate int) {
	m := g.team[mate].speed * c.draw().ExpFloat64()
	if m > 240 {
		c.mood -= 0.3 // a long wait shows in the rating
	}
	c.wait(1+m, 2+m)
}

func (c *loadConv) push(ev domain.Event) {
	ev.At = c.now()
	c.makeRoom()
	c.pending = append(c.pending, c.planned(&ev))
}

// insert places ev among the planned events by time, after any at the same time.
func (c *loadConv) insert(ev domain.Event) {
	at := planSecondsOf(ev.At.Sub(c.t0()))
	c.makeRoom()
	i := c.head + sort.Search(len(c.pending)-c.head, func(i int) bool { return c.pending[c.head+i].at > at })
	c.pending = append(c.pending, plannedEvent{})
	copy(c.pending[i+1:], c.pending[i:])
	c.pending[i] = c.planned(&ev)
}

// makeRoom moves the planned events still to come to the front of a full
// buffer, so that it holds the plan ahead rather than every event emitted
// too: a conversation's plan grows after its close (a rating, a reopening,
// follow-ups), and each growth had kept the emitted part.
func (c *loadConv) makeRoom() {
	if c.head == 0 || len(c.pending) < cap(c.pending) {
		return
	}
	n := copy(c.pending, c.pending[c.head:])
	c.pending, c.head = c.pending[:n], 0
}

func (c *loadConv) pick(texts []string) string { return texts[c.draw().IntN(len(texts))] }

func (c *loadConv) chance(p float64) bool { return c.draw().Float64() < p }

func (g *loadGen) customerSays(c *loadConv, texts []string) {
	c.push(domain.Event{Kind: domain.EvSay, Actor: c.cust, Text: c.pick(texts)})
}

func (g *loadGen) mateSays(c *loadConv, mate int, short bool) {
	texts := loadTeammateReplies
	if short || (g.team[mate].terse && c.chance(0.3)) {
		texts = loadTeammateShort
	}
	c.push(domain.Event{Kind: domain.EvSay, Actor: domain.Teammate(g.team[mate].name), Text: c.pick(texts)})
	c.speaker = mate
}

func (g *loadGen) closer(c *loadConv) domain.Actor {
	if c.speaker >= 0 {
		return domain.Teammate(g.team[c.speaker].name)
	}
	return domain.Teammate(g.team[c.mate].name)
}

// pickMate assigns a teammate, busier ones more often.
func (g *loadGen) pickMate(r *rand.Rand) int {
	x := r.Float64() * g.weight[len(g.weight)-1]
	i := sort.SearchFloat64s(g.weight, x)
	return min(i, len(g.team)-1)
}

func (g *loadGen) customer(i int) domain.Actor {
	nf, nl := len(loadFirstNames), len(loadLastNames)
	name := loadFirstNames[i%nf] + "." + loadLastNames[(i/nf)%nl] + strconv.Itoa(i)
	if i%4 == 3 {
		return domain.Lead(name)
	}
	return domain.User(name)
}

// plan lays out a conversation up to its first close. What follows a close
// depends on the rules' decision and is planned in react.
func (g *loadGen) plan(c *loadConv) {
	r := c.draw()
	c.cust = g.customer(r.IntN(g.custs))
	c.mate = g.pickMate(r)
	origin := domain.OriginInbound
	u := r.Float64()
	if c.cust.Kind == domain.KindLead {
		if u < 0.3 {
			origin = domain.OriginVisitorMessage
		}
	} else {
		switch {
		case u < 0.12:
			origin = domain.OriginDirect
		case u < 0.22:
			origin = domain.OriginWorkflow
		case u < 0.30:
			origin = domain.OriginMessage
		case u < 0.34:
			origin = domain.OriginAPI
		case u < 0.36:
			origin = domain.OriginCustomBot
		}
	}
	channel := domain.ChannelMessenger
	if c.cust.Kind == domain.KindUser && (origin == domain.OriginInbound || origin == domain.OriginMessage || origin == domain.OriginDirect) && c.chance(0.3) {
		channel = domain.ChannelEmail
		c.email = true
	}
	start := domain.Event{Kind: domain.EvStart, Actor: c.cust, Origin: origin, Channel: channel}
	if origin == domain.OriginDirect {
		start.Agent = domain.Teammate(g.team[c.mate].name)
	}
	c.push(start)
	switch origin {
	case domain.OriginDirect:
		g.planDirect(c)
	case domain.OriginWorkflow, domain.OriginCustomBot, domain.OriginAPI:
		g.planBotStarted(c, origin)
	default:
		g.planInbound(c)
	}
}

func (g *loadGen) planInbound(c *loadConv) {
	short := c.chance(0.14) || (g.team[c.mate].terse && c.chance(0.15))
	c.wait(0.1, 0.5)
	if short {
		g.customerSays(c, loadCustomerShort)
	} else {
		g.customerSays(c, loadCustomerOpen)
	}
	if c.chance(0.05) { // a colleague joins: a group chat, which gets no survey
		other := g.customer(c.draw().IntN(g.custs))
		if other == c.cust {
			other = domain.User(c.cust.Name + "-colleague")
		}
		c.wait(2, 30)
		c.push(domain.Event{Kind: domain.EvAdd, Actor: other})
		c.wait(1, 10)
		c.push(domain.Event{Kind: domain.EvSay, Actor: other, Text: c.pick(loadCustomerFollow)})
	}
	if g.finAnswers(c) {
		return
	}
	if c.chance(0.03) { // spam or a misfire: closed without a reply
		c.wait(60, 2880)
		c.push(domain.Event{Kind: domain.EvClose, Actor: domain.Teammate(g.team[c.mate].name)})
		return
	}
	g.replyWait(c, c.mate)
	g.mateSays(c, c.mate, short)
	if c.chance(0.2) {
		c.wait(1, 20)
		c.push(domain.Event{Kind: domain.EvNote, Actor: domain.Teammate(g.team[c.mate].name), Text: c.pick(loadNotes)})
	}
	for rounds := c.draw().IntN(3); rounds > 0; rounds-- {
		c.wait(5, 600)
		if short {
			g.customerSays(c, loadCustomerShort)
		} else {
			g.customerSays(c, loadCustomerFollow)
		}
		g.replyWait(c, c.speaker)
		g.mateSays(c, c.speaker, short)
	}
	if c.chance(0.07) && len(g.team) > 1 { // handed over to a colleague
		other := (c.mate + 1 + c.draw().IntN(len(g.team)-1)) % len(g.team)
		c.wait(5, 60)
		c.push(domain.Event{Kind: domain.EvNote, Actor: domain.Teammate(g.team[c.speaker].name), Text: "Handing this over to " + g.team[other].name + ", who knows billing best."})
		g.replyWait(c, other)
		g.mateSays(c, other, false)
	}
	if c.chance(0.12) {
		g.planSnooze(c)
	}
	if c.chance(0.06) { // left open too long: a stale close
		c.wait(10, 240)
		g.customerSays(c, loadCustomerThanks)
		c.wait(8*1440, 12*1440)
		c.mood -= 0.5
	} else {
		c.wait(5, 180)
	}
	c.push(domain.Event{Kind: domain.EvClose, Actor: g.closer(c)})
}

// finAnswers lets Fin answer in some conversations; it reports whether Fin
// resolved it, in which case a Workflow asks and closes.
func (g *loadGen) finAnswers(c *loadConv) bool {
	if !c.chance(0.22) {
		return false
	}
	c.wait(0.2, 1)
	c.push(domain.Event{Kind: domain.EvSay, Actor: domain.Fin, Text: c.pick(loadFinAnswers)})
	if !c.chance(0.4) {
		return false
	}
	c.wait(1, 10)
	g.customerSays(c, loadCustomerThanks)
	if c.chance(0.7) {
		c.wait(0.1, 1)
		c.push(domain.Event{Kind: domain.EvAsk})
	}
	c.wait(1, 5)
	c.push(domain.Event{Kind: domain.EvClose, Actor: domain.Workflow})
	return true
}

// planSnooze snoozes the conversation while waiting for the customer, who
// wakes it with a reply or is chased when it wakes by itself.
func (g *loadGen) planSnooze(c *loadConv) {
	c.wait(1, 30)
	snooze := time.Duration(24+c.draw().IntN(49)) * time.Hour
	from := c.now()
	c.push(domain.Event{Kind: domain.EvSnooze, Actor: domain.Teammate(g.team[c.speaker].name), Until: from.Add(snooze)})
	c.mood -= 0.2
	if c.chance(0.5) { // the customer's reply wakes it
		c.moveTo(from.Add(time.Duration(float64(snooze) * (0.2 + 0.6*c.draw().Float64())).Truncate(time.Second)))
		g.customerSays(c, loadCustomerFollow)
	} else { // it wakes by itself and the teammate chases
		c.moveTo(from.Add(snooze))
		c.wait(10, 120)
	}
	g.replyWait(c, c.speaker)
	g.mateSays(c, c.speaker, false)
}

func (g *loadGen) planDirect(c *loadConv) {
	c.wait(0.1, 1)
	g.mateSays(c, c.mate, false)
	c.pending[len(c.pending)-1].text = g.texts.ref(c.pick(loadDirectOpeners))
	if c.chance(0.15) { // a Workflow asks at once: nothing followed the opener yet
		c.wait(0.5, 2)
		c.push(domain.Event{Kind: domain.EvAsk})
	}
	if c.chance(0.75) {
		c.wait(30, 2880)
		g.customerSays(c, loadCustomerFollow)
		g.replyWait(c, c.mate)
		g.mateSays(c, c.mate, false)
		if c.chance(0.4) {
			c.wait(10, 600)
			g.customerSays(c, loadCustomerThanks)
		}
	}
	c.wait(60, 4320)
	c.push(domain.Event{Kind: domain.EvClose, Actor: g.closer(c)})
}

func (g *loadGen) planBotStarted(c *loadConv, origin domain.Origin) {
	c.wait(0.05, 0.2)
	if origin == domain.OriginAPI {
		g.mateSays(c, c.mate, false)
		c.pending[len(c.pending)-1].text = g.texts.ref(c.pick(loadDirectOpeners))
	} else {
		c.push(domain.Event{Kind: domain.EvSay, Actor: domain.Workflow, Text: c.pick(loadWorkflowGreetings)})
	}
	if c.chance(0.75) {
		c.wait(1, 360)
		g.customerSays(c, loadCustomerOpen)
		if c.chance(0.3) {
			c.wait(0.2, 1)
			c.push(domain.Event{Kind: domain.EvSay, Actor: domain.Fin, Text: c.pick(loadFinAnswers)})
		}
		if c.chance(0.55) {
			g.replyWait(c, c.mate)
			g.mateSays(c, c.mate, false)
		}
	}
	if c.chance(0.5) {
		c.wait(1, 10)
		c.push(domain.Event{Kind: domain.EvAsk})
	}
	c.wait(10, 1440)
	if c.speaker >= 0 {
		c.push(domain.Event{Kind: domain.EvClose, Actor: g.closer(c)})
	} else {
		c.push(domain.Event{Kind: domain.EvClose, Actor: domain.Workflow})
	}
}

// react plans what follows a decision: a customer answers only a survey the
// rules sent, comments on and sometimes changes a rating the rules accepted,
// and a lead follows up a rating the rules put in the queue.
func (g *loadGen) react(c *loadConv, ev domain.Event, o *domain.Outcome) {
	switch ev.Kind {
	case domain.EvClose, domain.EvAsk:
		if o.Decision == domain.DecisionSent {
			g.planRating(c, ev.At, o.To)
		}
		if ev.Kind == domain.EvClose && c.reopens == 0 && c.chance(0.1) {
			g.planReopen(c, ev.At)
		}
	case domain.EvRate:
		if o.Decision == domain.DecisionAccepted && o.Rating.Old == 0 {
			g.afterFirstRating(c, ev, o)
		}
	}
}

func (g *loadGen) planRating(c *loadConv, at time.Time, agent domain.Actor) {
	p := 0.5
	if c.email {
		p = 0.35
	}
	if !c.chance(p) {
		return
	}
	c.moveTo(at)
	switch u := c.draw().Float64(); {
	case u < 0.65:
		c.wait(1, 60)
	case u < 0.9:
		c.wait(60, 1440)
	default: // days later: past a 48-hour rating window
		c.wait(1440, 7200)
	}
	c.insert(domain.Event{Kind: domain.EvRate, At: c.now(), Actor: c.cust, Value: g.drawValue(c, agent)})
}

// drawValue draws a rating around the agent's skill, lowered by a bad experience.
func (g *loadGen) drawValue(c *loadConv, agent domain.Actor) int {
	skill := 0.6
	switch {
	case agent.Kind == domain.KindFin:
		skill = 0.62
	case agent.Kind == domain.KindWorkflow:
		skill = 0.5
	default:
		if i, ok := g.byName[agent.Name]; ok {
			skill = g.team[i].skill
		}
	}
	mu := 1 + 4*skill + c.mood
	v := int(math.Round(mu + c.draw().NormFloat64()*1.0))
	return min(5, max(1, v))
}

func (g *loadGen) afterFirstRating(c *loadConv, ev domain.Event, o *domain.Outcome) {
	v := ev.Value
	p := 0.3
	texts := loadHappyComments
	switch {
	case v <= 2:
		p, texts = 0.55, loadUnhappyComments
	case v == 3:
		p, texts = 0.2, loadNeutralComments
	}
	commented := c.chance(p)
	if commented {
		c.moveTo(ev.At)
		c.wait(0.5, 15)
		c.insert(domain.Event{Kind: domain.EvComment, At: c.now(), Actor: c.cust, Text: c.pick(texts)})
	}
	if c.chance(0.1) && (!commented || c.chance(0.2)) { // a change of mind, sometimes too late
		c.moveTo(ev.At)
		if c.chance(0.75) {
			c.wait(10, 2880)
		} else {
			c.wait(4320, 10080)
		}
		nv := max(1, v-1-c.draw().IntN(2))
		if v <= 2 {
			nv = min(5, v+1+c.draw().IntN(3))
		}
		c.insert(domain.Event{Kind: domain.EvRate, At: c.now(), Actor: c.cust, Value: nv})
	}
	if !o.Queue.Moved || !o.Queue.After.InQueue(g.shadow.Settings.FollowUp) || !c.chance(0.7) {
		return
	}
	admin := g.admins[c.draw().IntN(len(g.admins))]
	fu := func(stage domain.FollowStage, note string) {
		c.insert(domain.Event{Kind: domain.EvFollowUp, At: c.now(), Agent: o.Rating.Agent, Stage: stage, By: admin, Text: note})
	}
	c.moveTo(ev.At)
	c.wait(60, 1200)
	fu(domain.StageClaimed, "Looking into this one.")
	if c.chance(0.6) {
		c.wait(120, 1800)
		fu(domain.StageContacted, c.pick(loadFollowUpNotes))
		if c.chance(0.7) {
			c.wait(60, 2880)
			fu(domain.StageResolved, "Resolved: customer happy with the outcome.")
		}
	}
}

// planReopen brings the customer back after a close: one more question,
// another reply and a second close, which asks the rules again.
func (g *loadGen) planReopen(c *loadConv, at time.Time) {
	c.reopens++
	c.moveTo(at)
	c.wait(360, 5760)
	if c.chance(0.3) {
		c.insert(domain.Event{Kind: domain.EvReopen, At: c.now(), Actor: domain.Teammate(g.team[c.mate].name)})
	} else {
		c.insert(domain.Event{Kind: domain.EvSay, At: c.now(), Actor: c.cust, Text: c.pick(loadCustomerReopen)})
	}
	mate := c.mate
	if c.speaker >= 0 {
		mate = c.speaker
	}
	g.replyWait(c, mate)
	c.insert(domain.Event{Kind: domain.EvSay, At: c.now(), Actor: domain.Teammate(g.team[mate].name), Text: c.pick(loadTeammateReplies)})
	c.speaker = mate
	c.wait(5, 240)
	c.insert(domain.Event{Kind: domain.EvClose, At: c.now(), Actor: domain.Teammate(g.team[mate].name)})
}
