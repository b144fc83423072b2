package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

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

// tmData is one read of what the page lists beside the counters: on
// opening, the open follow-ups and the first page of ratings; further
// down, the next page of ratings.
type tmData struct {
	followUps []store.FollowUpItem
	ratings   store.Page[store.AgentRating]
	next      bool // a further page, to go after the ratings listed
}

// teammatePage is one agent's page, opened from a leaderboard row (bots
// too): their score over the period against the target and the team,
// counts by face, and the follow-ups and ratings behind the numbers.
type teammatePage struct {
	base
	row        store.AgentRow
	team       []store.DayCounts // the team's score per bucket of the period
	teamCounts domain.Counts
	period     store.Period
	periodName string
	target     int
	followUps  []store.FollowUpItem
	ratings    []store.AgentRating // newest first, read a page at a time
	after      string              // the last rating's place, to read the next page
	more       bool                // the period has older ratings than those read
	items      []tmItem
	stream     *convStream
	// segments narrows the follow-ups and ratings listed to the board's
	// filter; before is the agent's period before, drawn over the chart
	// when compared.
	segments domain.Filter
	before   []store.DayCounts
	compared bool
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

// Reload reads the agent's open follow-ups and the first page of their
// ratings of the period, from the ratings-by-agent index, both of the
// board's segments.
func (p *teammatePage) Reload() tea.Cmd {
	src, agent, period, segments := p.c.src, p.row.Agent, p.period, p.segments
	read := p.fetch(func() (any, error) {
		var d tmData
		var err error
		if d.followUps, err = src.FollowUps(store.FollowUpFilter{Agent: agent, Segments: segments}); err != nil {
			return d, err
		}
		d.ratings, err = src.AgentRatingsOf(agent, period, segments, store.PageQuery{Limit: 2 * pageSize})
		return d, err
	})
	return tea.Batch(read, p.stream.Reload())
}

// readMore reads the page of ratings after the last one listed.
func (p *teammatePage) readMore() tea.Cmd {
	src, agent, period, after, segments := p.c.src, p.row.Agent, p.period, p.after, p.segments
	return p.fetch(func() (any, error) {
		pg, err := src.AgentRatingsOf(agent, period, segments, store.PageQuery{After: after, Limit: pageSize})
		return tmData{ratings: pg, next: true}, err
	})
}

func (p *teammatePage) take(d tmData) {
	if !d.next {
		p.followUps, p.ratings = d.followUps, nil
	}
	p.ratings = append(p.ratings, d.ratings.Items...)
	p.more = d.ratings.More
	if n := len(d.ratings.Cursors); n > 0 {
		p.after = d.ratings.Cursors[n-1]
	}
	p.build()
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
		if p.accept(msg, "teammate "+p.row.Agent.Name) && msg.err == nil {
			d, _ := msg.data.(tmData)
			p.take(d)
		}
		return true, nil
	case tea.KeyMsg:
		if keyIs(msg, k.Enter) && p.list.cursor < len(p.items) && p.items[p.list.cursor].conv != "" {
			return true, p.stream.show(p.items[p.list.cursor].conv)
		}
	}
	if p.list.update(k, msg) && p.more && !p.loading && p.list.cursor >= len(p.items)-pageMargin {
		return true, p.readMore()
	}
	return true, nil
}

func (p *teammatePage) build() {
	p.items = p.items[:0]
	open := p.followUps
	count := itoa(len(open))
	if !p.loaded { // a large store takes a while: "(0)" said there were none
		count = "loading…"
	}
	p.items = append(p.items, tmItem{header: "open follow-ups (" + count + ")" + filterNote(p.segments)})
	for _, f := range open {
		text := f.FollowUp.Stage.String()
		if f.Comment != "" {
			text += " · " + f.Comment
		}
		p.items = append(p.items, tmItem{conv: f.Conv, value: f.Value, at: f.RatedAt, customer: f.Customer, text: text})
	}
	title := "ratings in " + p.periodName + ", newest first (" + itoa(p.row.Counts.Rated()) + ")"
	switch {
	case !p.loaded:
		title += " · loading…"
	case p.more:
		title += " · more load as you scroll"
	}
	p.items = append(p.items, tmItem{header: title})
	for _, r := range p.ratings {
		p.items = append(p.items, tmItem{conv: r.Conv, value: r.Value, at: r.RatedAt, customer: r.Customer, text: r.Comment})
	}
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
	return rowName(p.row) + " · " + p.periodName
}

func (p *teammatePage) ShortHelp() []key.Binding {
	k := p.c.keys
	return []key.Binding{k.Enter, k.Up, k.Down, k.Back, k.Help, k.Quit}
}

func (p *teammatePage) FullHelp() [][]key.Binding {
	k := p.c.keys
	return [][]key.Binding{{k.Enter, k.Back}, k.listKeys(), k.frameKeys()}
}
