package tui

import (
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// achievements is the feed of positive ratings, newest first, read from
// the store a page at a time; the filter narrows the rows read.
type achievements struct {
	base
	pages  pager[store.Achievement]
	items  []store.Achievement // the window's rows the filter keeps
	counts []store.AgentRow    // positive counts per teammate, most first
	total  int                 // positive ratings of every agent, all time
	stream *convStream         // the rating's conversation, opened with enter
}

func newAchievements(c *common, tab int) *achievements {
	return &achievements{base: newBase(c, tab), stream: newConvStream(c, tab)}
}

func (v *achievements) TabName() string       { return "Achievements" }
func (v *achievements) SetFilter(text string) { v.filter = text; v.build() }

func (v *achievements) nested() bool { return v.stream.isOpen() }

func (v *achievements) busy() bool { return v.loading || v.stream.busy() }

func (v *achievements) SetSize(w, h int) {
	v.width, v.height = w, h
	v.stream.SetSize(w, h)
	v.list.setHeight(v.listHeight())
}

func (v *achievements) listHeight() int { return max(v.height-1, 1) }

func (v *achievements) StatusText() string {
	if v.stream.isOpen() {
		return v.stream.status()
	}
	if v.err != nil {
		return "achievements: " + v.err.Error()
	}
	if v.filter != "" {
		return itoa(len(v.items)) + " of the " + itoa(len(v.pages.items)) + " positive ratings read match · newest first"
	}
	return v.pages.where(v.list.cursor, v.total, "positive ratings") + " · newest first"
}

func (v *achievements) ShortHelp() []key.Binding {
	if v.stream.isOpen() {
		return v.stream.ShortHelp()
	}
	k := v.c.keys
	return []key.Binding{k.Enter, k.Up, k.Down, k.NextTab, k.Filter, k.Help, k.Quit}
}

func (v *achievements) FullHelp() [][]key.Binding {
	k := v.c.keys
	return [][]key.Binding{{k.Enter, k.Back}, k.listKeys(), k.frameKeys()}
}

// achData is one read of a page of the feed and, on a reload, of the
// all-time positive counts.
type achData struct {
	page    pageMsg[store.Achievement]
	counts  []store.AgentRow
	total   int
	counted bool
}

func (v *achievements) Reload() tea.Cmd {
	return tea.Batch(v.read(readReload), v.stream.Reload())
}

func (v *achievements) read(r pageRead) tea.Cmd {
	src, now, q := v.c.src, v.c.clock(), v.pages.query(r)
	return v.fetch(func() (any, error) {
		d := achData{page: pageMsg[store.Achievement]{read: r}}
		var err error
		if d.page.page, err = src.AchievementPage(q); err != nil || r != readReload {
			return d, err
		}
		p, err := store.ParsePeriod("all", now)
		if err != nil {
			return d, err
		}
		lb, err := src.Leaderboard(p)
		d.counts, d.counted = lb.Teammates, true
		for _, row := range append(append([]store.AgentRow(nil), lb.Teammates...), lb.Bots...) {
			d.total += row.Counts.Positive()
		}
		sort.SliceStable(d.counts, func(i, j int) bool {
			a, b := d.counts[i].Counts.Positive(), d.counts[j].Counts.Positive()
			if a != b {
				return a > b
			}
			return d.counts[i].Agent.Name < d.counts[j].Agent.Name
		})
		return d, err
	})
}

func (v *achievements) loaded(msg loadedMsg) {
	if v.accept(msg, "achievements") {
		d, _ := msg.data.(achData)
		if msg.err != nil {
			return
		}
		if d.counted {
			v.counts, v.total = d.counts, d.total
		}
		v.pages.take(d.page, &v.list)
		v.build()
	}
}

func (v *achievements) build() {
	v.items = v.items[:0]
	for _, a := range v.pages.items {
		if matches(v.filter, a.Agent.Name, v.c.shown(a.Agent), a.Customer.String(), v.c.person(a.Customer), a.Comment) {
			v.items = append(v.items, a)
		}
	}
	v.list.setLen(len(v.items))
}

func (v *achievements) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if v.stream.update(msg) {
		return v, nil
	}
	if msg, ok := msg.(loadedMsg); ok {
		v.loaded(msg)
		return v, nil
	}
	if v.filter != "" {
		if v.list.update(v.c.keys, msg) {
			return v, nil
		}
	} else if cmd, ok := pagerKey(&v.base, &v.pages, msg, v.read); ok {
		return v, cmd
	}
	if msg, ok := msg.(tea.KeyMsg); ok && keyIs(msg, v.c.keys.Enter) && len(v.items) > 0 {
		return v, v.stream.show(v.items[v.list.cursor].Conv)
	}
	return v, nil
}

// achColumns are the feed's columns; the comment takes the rest.
var achColumns = []column{
	{width: 2}, {width: 3}, {title: "age", width: 5, padRight: 1}, {title: "agent", width: 12, padRight: 1},
	{title: "customer", width: 14, padRight: 1}, {title: "comment"},
}

// sideW is the width of the per-teammate column.
const sideW = 20

func (v *achievements) View() string {
	if v.stream.isOpen() {
		return v.stream.View()
	}
	t := v.c.theme
	now := v.c.clock()
	feedW := v.width - sideW - 1
	var side strings.Builder
	side.WriteString(t.Header.Render(fit("positive, all time", sideW)))
	for i, r := range v.counts {
		if i >= v.height-1 {
			break
		}
		if !matches(v.filter, r.Agent.Name, v.c.shown(r.Agent)) {
			continue
		}
		side.WriteString("\n" + fit(v.c.shown(r.Agent), sideW-6) + fitLeft(itoa(r.Counts.Positive()), 6))
	}
	from, to := v.list.visible()
	rows := make([][]string, 0, to-from)
	for i := from; i < to; i++ {
		a := v.items[i]
		comment := a.Comment
		if comment == "" {
			comment = t.Muted.Render(domain.FaceName(a.Value))
		}
		rows = append(rows, []string{v.cursorMark(i), domain.Face(a.Value), age(now, a.At), v.c.shown(a.Agent), v.c.person(a.Customer), comment})
	}
	g := grid{theme: t, cols: achColumns, width: feedW, rowStyle: v.rowStyle(from, nil)}
	var feed strings.Builder
	feed.WriteString(g.render(rows))
	if row, ok := v.placeholder(len(v.items), "cannot read achievements", v.unlessFiltered("no positive ratings yet")); ok {
		feed.WriteString("\n" + row)
	}
	return joinColumns(block(feed.String(), feedW, v.height), block(side.String(), sideW, v.height), " ")
}

// joinColumns puts two blocks of equal height side by side.
func joinColumns(left, right, gap string) string {
	l := strings.Split(left, "\n")
	r := strings.Split(right, "\n")
	var b strings.Builder
	for i := range l {
		b.WriteString(l[i])
		b.WriteString(gap)
		if i < len(r) {
			b.WriteString(r[i])
		}
		if i < len(l)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
