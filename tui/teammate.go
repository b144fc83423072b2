package tui

import (
	"sort"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// ratingsScanned bounds the conversations the teammate page looks through
// for the agent's ratings, newest first.
const ratingsScanned = 2000

// tmItem is a row of the teammate page's list: a section title, an open
// follow-up or a rating.
type tmItem struct {
	header   string
	conv     string
	value    int
	at       time.Time
	customer domain.Actor
	text     string
}

// tmData is one read of what the page lists beside the counters.
type tmData struct {
	followUps []store.FollowUpItem
	ratings   []tmItem
	complete  bool // every rating of the period is listed
}

// teammatePage is one agent's page, opened from a leaderboard row (bots
// too): their score over the period against the target and the team,
// counts by face, and the follow-ups and ratings behind the numbers.
type teammatePage struct {
	base
	row        store.AgentRow
	team       []domain.Counts // the team's score per bucket of the period
	teamCounts domain.Counts
	period     store.Period
	periodName string
	target     int
	data       tmData
	items      []tmItem
	stream     *convStream
}

func newTeammatePage(c *common, tab int) *teammatePage {
	return &teammatePage{base: newBase(c, tab), stream: newConvStream(c, tab)}
}

// show takes the leaderboard's read for row: counters need no read of their own.
func (p *teammatePage) show(row store.AgentRow, lb store.Leaderboard, periodName string, target int) {
	p.row, p.period, p.periodName, p.target = row, lb.Period, periodName, target
	p.team, p.teamCounts = teamDaily(lb.Teammates), lb.Team
	p.build()
}

func (p *teammatePage) busy() bool { return p.loading || p.stream.busy() }

func (p *teammatePage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.stream.SetSize(w, h)
	p.list.setHeight(p.listHeight())
}

// Reload reads the agent's open follow-ups and their ratings of the period.
func (p *teammatePage) Reload() tea.Cmd {
	src, agent, period := p.c.src, p.row.Agent, p.period
	read := p.fetch(func() (any, error) {
		var d tmData
		var err error
		if d.followUps, err = src.FollowUps(store.FollowUpFilter{Agent: agent}); err != nil {
			return d, err
		}
		d.ratings, d.complete, err = agentRatings(src, agent, period)
		return d, err
	})
	return tea.Batch(read, p.stream.Reload())
}

// agentRatings lists agent's ratings that count in period, newest first,
// from the newest ratingsScanned conversations (the store has no index of
// ratings by agent); complete is false when older ones were not looked at.
func agentRatings(src Source, agent domain.Actor, period store.Period) (items []tmItem, complete bool, err error) {
	convs, err := src.Conversations(ratingsScanned)
	complete = len(convs) < ratingsScanned
	for _, c := range convs {
		if c.UpdatedAt.Before(period.From) {
			// Older conversations hold no rating of the period: a rating
			// never comes after its conversation's last update.
			complete = true
			break
		}
		for _, s := range c.Slots {
			at := s.FirstRatedAt
			if s.Agent != agent || s.Value == 0 || at.Before(period.From) || !period.To.IsZero() && !at.Before(period.To) {
				continue
			}
			items = append(items, tmItem{conv: c.ID, value: s.Value, at: at, customer: c.Customer, text: s.Comment})
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].at.Equal(items[j].at) {
			return items[i].at.After(items[j].at)
		}
		return items[i].conv > items[j].conv
	})
	return items, complete, err
}

// update takes the page's messages and keys; it reports whether msg was one.
func (p *teammatePage) update(msg tea.Msg) (bool, tea.Cmd) {
	if p.stream.update(msg) {
		return true, nil
	}
	k := p.c.keys
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.from != &p.base {
			return false, nil
		}
		if p.accept(msg, "teammate "+p.row.Agent.Name) {
			p.data, _ = msg.data.(tmData)
			p.build()
		}
		return true, nil
	case tea.KeyMsg:
		if keyIs(msg, k.Enter) && p.list.cursor < len(p.items) && p.items[p.list.cursor].conv != "" {
			return true, p.stream.show(p.items[p.list.cursor].conv)
		}
	}
	p.list.update(k, msg)
	return true, nil
}

func (p *teammatePage) build() {
	p.items = p.items[:0]
	open := p.data.followUps
	p.items = append(p.items, tmItem{header: "open follow-ups (" + itoa(len(open)) + ")"})
	for _, f := range open {
		text := f.FollowUp.Stage.String()
		if f.Comment != "" {
			text += " · " + f.Comment
		}
		p.items = append(p.items, tmItem{conv: f.Conv, value: f.Value, at: f.RatedAt, customer: f.Customer, text: text})
	}
	title := "ratings in " + p.periodName + ", newest first (" + itoa(len(p.data.ratings)) + ")"
	if !p.data.complete {
		title = "ratings in " + p.periodName + " among the newest " + itoa(ratingsScanned) + " conversations, newest first (" + itoa(len(p.data.ratings)) + ")"
	}
	p.items = append(p.items, tmItem{header: title})
	p.items = append(p.items, p.data.ratings...)
	p.list.setLen(len(p.items))
	if p.list.cursor == 0 {
		// On the first item, not on a title.
		for i, it := range p.items {
			if it.header == "" {
				p.list.cursor = i
				break
			}
		}
		p.list.clamp()
	}
	p.list.setHeight(p.listHeight())
}

func (p *teammatePage) status() string {
	if p.stream.isOpen() {
		return p.stream.status()
	}
	if p.err != nil {
		return "teammate: " + p.err.Error()
	}
	return p.row.Agent.Name + " · " + p.periodName
}

func (p *teammatePage) ShortHelp() []key.Binding {
	k := p.c.keys
	return []key.Binding{k.Enter, k.Up, k.Down, k.Back, k.Help, k.Quit}
}

func (p *teammatePage) FullHelp() [][]key.Binding {
	k := p.c.keys
	return [][]key.Binding{{k.Enter, k.Back}, k.listKeys(), k.frameKeys()}
}
