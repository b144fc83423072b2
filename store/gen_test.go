package store

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
)

// randomStream produces random events that the rules accept, by trying each
// on a shadow workspace first: every kind of event, settings changes and
// both profiles included, so the store sees what the domain can produce.
type randomStream struct {
	r      *rand.Rand
	shadow *domain.Workspace
	now    time.Time // the newest time so far: the stream moves forward
	convs  []string
	n      int
	admins []string
}

func newRandomStream(seed uint64) *randomStream {
	return &randomStream{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), shadow: domain.NewWorkspace(), now: genStart}
}

var genStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	genTeammates = []string{"alice", "bob", "carol", "dan"}
	genCustomers = []domain.Actor{domain.User("u1"), domain.User("u2"), domain.Lead("l1"), domain.Lead("l2")}
	genSettings  = map[string][]string{
		"users.csat": {"on", "off"}, "leads.csat": {"on", "off"},
		"users.direct-outbound": {"on", "off"}, "users.workflow-outbound": {"on", "off"},
		"leads.workflow-outbound": {"on", "off"},
		"users.rating-window":     {"off", "1", "48"}, "users.change-window": {"off", "2", "24"},
		"leads.rating-window": {"off", "3"}, "leads.change-window": {"off", "5"},
		"workspace.followup": {"negative", "negative+bad"}, "workspace.profile": {"intercom", "operator", "intercom"},
		"workspace.target": {"80", "66.7%"}, "workspace.hide-scores": {"on", "off"},
	}
	genSettingKeys = func() []string {
		var ks []string
		for k := range genSettings {
			ks = append(ks, k)
		}
		// map order is random; sort for determinism
		for i := range ks {
			for j := i + 1; j < len(ks); j++ {
				if ks[j] < ks[i] {
					ks[i], ks[j] = ks[j], ks[i]
				}
			}
		}
		return ks
	}()
)

func (g *randomStream) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *randomStream) text() string {
	n := g.r.IntN(160)
	if g.r.IntN(10) == 0 {
		n += 200
	}
	return strings.Repeat("é😀 x", n/4)
}

func (g *randomStream) agent() domain.Actor {
	switch g.r.IntN(8) {
	case 0:
		return domain.Workflow
	case 1:
		return domain.Fin
	}
	return domain.Teammate(g.pick(genTeammates))
}

func (g *randomStream) candidate() domain.Event {
	at := g.now.Add(time.Duration(g.r.IntN(3600*30)) * time.Second)
	if g.r.IntN(20) == 0 {
		at = at.Add(time.Duration(g.r.IntN(10)) * 24 * time.Hour)
	}
	conv := ""
	if len(g.convs) > 0 {
		conv = g.convs[len(g.convs)-1-g.r.IntN(min(len(g.convs), 6))]
	}
	cust := genCustomers[g.r.IntN(len(genCustomers))]
	if c := g.shadow.Conversations[conv]; c != nil && g.r.IntN(4) > 0 {
		cust = c.Customers[0]
	}
	ev := domain.Event{At: at, Conv: conv}
	switch k := g.r.IntN(40); {
	case k < 5 || conv == "":
		g.n++
		ev.Kind, ev.Conv, ev.Actor = domain.EvStart, fmt.Sprintf("c%d", g.n), cust
		ev.Origin = domain.Origin(g.r.IntN(7))
		ev.Channel = domain.Channel(g.r.IntN(2))
		if ev.Origin == domain.OriginDirect {
			ev.Agent = domain.Teammate(g.pick(genTeammates))
		}
	case k < 16:
		ev.Kind, ev.Text = domain.EvSay, g.text()
		if g.r.IntN(2) == 0 {
			ev.Actor = cust
		} else {
			ev.Actor = g.agent()
		}
	case k < 17:
		ev.Kind, ev.Actor, ev.Text = domain.EvNote, domain.Teammate(g.pick(genTeammates)), "note"
	case k < 18:
		ev.Kind, ev.Actor = domain.EvAdd, cust
	case k < 19:
		ev.Kind, ev.Actor, ev.Until = domain.EvSnooze, g.agent(), at.Add(time.Duration(1+g.r.IntN(48))*time.Hour)
	case k < 24:
		ev.Kind, ev.Actor = domain.EvClose, g.agent()
	case k < 25:
		ev.Kind, ev.Actor = domain.EvReopen, g.agent()
	case k < 27:
		ev.Kind = domain.EvAsk
	case k < 33:
		ev.Kind, ev.Actor, ev.Value = domain.EvRate, cust, g.r.IntN(7)
		if g.r.IntN(5) == 0 {
			ev.Agent = g.agent()
		}
	case k < 35:
		ev.Kind, ev.Actor, ev.Text = domain.EvComment, cust, g.pick([]string{"thanks!", "slow answer", "great help 🤩"})
	case k < 36:
		ev.Kind, ev.Conv = domain.EvSet, ""
		key := g.pick(genSettingKeys)
		ev.Setting, _ = domain.ParseSettingKey(key)
		ev.Text = g.pick(genSettings[key])
		if len(g.admins) > 0 && g.r.IntN(2) == 0 {
			ev.By = g.pick(g.admins)
		}
	case k < 37:
		ev.Kind, ev.Conv, ev.By, ev.Role = domain.EvRole, "", g.pick(genTeammates), domain.Role(g.r.IntN(2))
	case k < 38:
		ev.Kind, ev.Agent, ev.By, ev.Text = domain.EvFollowUp, g.agent(), g.pick(genTeammates), "called"
		ev.Stage = domain.FollowStage(1 + g.r.IntN(3))
	case k < 39:
		ev.Kind, ev.Actor, ev.Agent, ev.Value = domain.EvObserve, cust, g.agent(), 1+g.r.IntN(5)
		ev.Until = at.Add(-time.Duration(g.r.IntN(72)) * time.Hour)
		if g.r.IntN(3) == 0 {
			ev.Text = "observed remark"
		}
	default:
		ev.Kind, ev.Conv = domain.EvClock, ""
	}
	return ev
}

// next returns an event the rules accept, and its outcome.
func (g *randomStream) next() (domain.Event, domain.Outcome) {
	for {
		ev := g.candidate()
		o, err := g.shadow.Apply(ev)
		if err != nil {
			continue
		}
		g.now = ev.At
		switch ev.Kind {
		case domain.EvStart:
			g.convs = append(g.convs, ev.Conv)
		case domain.EvRole:
			if ev.Role == domain.RoleAdmin {
				g.admins = append(g.admins, ev.By)
			}
		}
		return ev, o
	}
}

// realisticStream produces whole conversations as a support team has them:
// messages back and forth, most closed by a teammate, most of those rated,
// some commented, across many teammates and days.
type realisticStream struct {
	r         *rand.Rand
	now       time.Time
	teammates []string
	n         int
	queue     []domain.Event
}

func newRealisticStream(seed uint64, teammates int, start time.Time) *realisticStream {
	g := &realisticStream{r: rand.New(rand.NewPCG(seed, 7)), now: start}
	for i := 0; i < teammates; i++ {
		g.teammates = append(g.teammates, fmt.Sprintf("agent%03d", i))
	}
	return g
}

var words = strings.Fields("hello thanks order refund account password invoice shipping delivery help please could you check my the a is not working since yesterday great")

func (g *realisticStream) sentence(minLen int) string {
	var b strings.Builder
	for b.Len() < minLen {
		b.WriteString(words[g.r.IntN(len(words))])
		b.WriteByte(' ')
	}
	return b.String()
}

func (g *realisticStream) tick(max time.Duration) time.Time {
	g.now = g.now.Add(time.Duration(1 + g.r.Int64N(int64(max))))
	return g.now
}

func (g *realisticStream) conversation() {
	g.n++
	id := fmt.Sprintf("conv%07d", g.n)
	cust := domain.User(fmt.Sprintf("cust%d", g.r.IntN(50000)))
	if g.r.IntN(4) == 0 {
		cust = domain.Lead(fmt.Sprintf("lead%d", g.r.IntN(50000)))
	}
	tm := domain.Teammate(g.teammates[g.r.IntN(len(g.teammates))])
	add := func(ev domain.Event) { g.queue = append(g.queue, ev) }
	add(domain.Event{Kind: domain.EvStart, At: g.tick(20 * time.Second), Conv: id, Actor: cust, Channel: domain.Channel(g.r.IntN(2))})
	turns := 1 + g.r.IntN(3)
	for i := 0; i < turns; i++ {
		add(domain.Event{Kind: domain.EvSay, At: g.tick(20 * time.Second), Conv: id, Actor: cust, Text: g.sentence(40 + g.r.IntN(80))})
		add(domain.Event{Kind: domain.EvSay, At: g.tick(20 * time.Second), Conv: id, Actor: tm, Text: g.sentence(60 + g.r.IntN(100))})
	}
	if g.r.IntN(10) == 0 {
		add(domain.Event{Kind: domain.EvNote, At: g.tick(10 * time.Second), Conv: id, Actor: tm, Text: "customer is on the old plan"})
	}
	add(domain.Event{Kind: domain.EvClose, At: g.tick(20 * time.Second), Conv: id, Actor: tm})
	if g.r.IntN(10) < 7 {
		// Skill varies by teammate so the leaderboard has a story.
		skill := 2 + len(tm.Name)%3 + g.r.IntN(3)
		add(domain.Event{Kind: domain.EvRate, At: g.tick(30 * time.Second), Conv: id, Actor: cust, Value: min(5, max(1, skill))})
		if g.r.IntN(5) == 0 {
			add(domain.Event{Kind: domain.EvComment, At: g.tick(30 * time.Second), Conv: id, Actor: cust, Text: g.sentence(20)})
		}
	}
}

// next returns the next event; time moves forward across conversations.
func (g *realisticStream) next() domain.Event {
	if len(g.queue) == 0 {
		g.conversation()
	}
	ev := g.queue[0]
	g.queue = g.queue[1:]
	return ev
}
