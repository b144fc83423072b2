package tui

import (
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// achievementsShown bounds the feed read from the store.
const achievementsShown = 500

type achievements struct {
	c      *common
	width  int
	height int
	all    []store.Achievement
	items  []store.Achievement
	counts []store.AgentRow // positive counts per teammate, most first
	list   list
	filter string
	err    error
	dirty  bool
}

func newAchievements(c *common) *achievements { return &achievements{c: c, dirty: true} }

func (v *achievements) Init() tea.Cmd         { return nil }
func (v *achievements) TabName() string       { return "Achievements" }
func (v *achievements) Capturing() bool       { return false }
func (v *achievements) markStale()            { v.dirty = true }
func (v *achievements) stale() bool           { return v.dirty }
func (v *achievements) SetFilter(text string) { v.filter = text; v.build() }

func (v *achievements) SetSize(w, h int) {
	v.width, v.height = w, h
	v.list.setHeight(v.listHeight())
}

func (v *achievements) listHeight() int { return max(v.height-1, 1) }

func (v *achievements) StatusText() string {
	if v.err != nil {
		return "achievements: " + v.err.Error()
	}
	return itoa(len(v.items)) + " positive ratings · newest first"
}

func (v *achievements) ShortHelp() []key.Binding {
	k := v.c.keys
	return []key.Binding{k.Up, k.Down, k.NextTab, k.Filter, k.Help, k.Quit}
}

func (v *achievements) FullHelp() [][]key.Binding {
	return [][]key.Binding{v.c.keys.listKeys(), v.c.keys.frameKeys()}
}

func (v *achievements) Reload() {
	v.dirty = false
	v.all, v.err = v.c.src.Achievements(achievementsShown)
	if v.err == nil {
		var lb store.Leaderboard
		p, err := store.ParsePeriod("all", v.c.clock())
		if err == nil {
			lb, err = v.c.src.Leaderboard(p)
		}
		v.err = err
		v.counts = append(v.counts[:0], lb.Teammates...)
		sort.SliceStable(v.counts, func(i, j int) bool {
			a, b := v.counts[i].Counts.Positive(), v.counts[j].Counts.Positive()
			if a != b {
				return a > b
			}
			return v.counts[i].Agent.Name < v.counts[j].Agent.Name
		})
	}
	if v.err != nil {
		v.c.log.Printf("achievements: %v", v.err)
	}
	v.build()
}

func (v *achievements) build() {
	v.items = v.items[:0]
	for _, a := range v.all {
		if matches(v.filter, a.Agent.Name, a.Customer.String(), a.Comment) {
			v.items = append(v.items, a)
		}
	}
	v.list.setLen(len(v.items))
}

func (v *achievements) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	v.list.update(v.c.keys, msg)
	return v, nil
}

// sideW is the width of the per-teammate column.
const sideW = 20

func (v *achievements) View() string {
	t := v.c.theme
	now := v.c.clock()
	feedW := v.width - sideW - 1
	var side strings.Builder
	side.WriteString(t.Header.Render(fit("positive, all time", sideW)))
	for i, r := range v.counts {
		if i >= v.height-1 {
			break
		}
		if !matches(v.filter, r.Agent.Name) {
			continue
		}
		side.WriteString("\n" + fit(r.Agent.Name, sideW-6) + fitLeft(itoa(r.Counts.Positive()), 6))
	}
	var feed strings.Builder
	feed.WriteString(t.Header.Render(fit("  "+fit("", 3)+col("age", 5)+col("agent", 12)+col("customer", 14)+"comment", feedW)))
	if v.err != nil && len(v.items) == 0 {
		feed.WriteString("\n" + t.Error.Render("  cannot read achievements: "+v.err.Error()))
	} else if len(v.items) == 0 {
		feed.WriteString("\n" + t.Muted.Render("  no positive ratings yet"))
	}
	from, to := v.list.visible()
	for i := from; i < to; i++ {
		a := v.items[i]
		cur := "  "
		if i == v.list.cursor {
			cur = "▸ "
		}
		comment := a.Comment
		if comment == "" {
			comment = t.Muted.Render(domain.FaceName(a.Value))
		}
		line := fit(cur+fit(domain.Face(a.Value), 3)+col(age(now, a.At), 5)+col(a.Agent.Name, 12)+col(a.Customer.String(), 14)+comment, feedW)
		if i == v.list.cursor {
			line = t.Selected.Render(line)
		}
		feed.WriteString("\n" + line)
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
