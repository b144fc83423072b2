package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap is every key of the dashboard, in one place: the views pick their
// bindings from it and the ? help is built from the same bindings.
type KeyMap struct {
	// Frame.
	NextTab, PrevTab, Tab key.Binding
	Help, Filter, Cancel  key.Binding
	Quit, ForceQuit       key.Binding
	// Lists.
	Up, Down, PageUp, PageDown, Home, End, Enter key.Binding
	// Text fields and prompts: enter applies (Keep: a setting's value), esc is Cancel.
	Apply, Keep key.Binding
	// Leaderboard.
	Period, Sort, Reverse, Wilson key.Binding
	// The leaderboard's scope: a team, a filter, a typed period, the team trend.
	Team, Channel, Audience, Origin, CustomPeriod, Trend key.Binding
	// Follow-ups.
	Claim, Contact, Resolve, ShowResolved key.Binding
	// Conversations.
	Back key.Binding
	// Simulator.
	SayCustomer, SayTeammate, SayBot, Note, AddCustomer, Snooze, Close, Reopen, Ask,
	Rate, RateValue, Comment, Advance, NewConv, NextConv, PrevConv, Profile, Save key.Binding
	// The simulator's saved scenarios (WriteFile: the local dashboard only).
	Scenarios, LoadScenario, WriteFile key.Binding
	// Settings.
	Edit, SaveSettings, Discard key.Binding
}

func bind(help string, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// DefaultKeyMap returns the standard bindings.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		NextTab: bind("tab", "next tab", "tab"),
		PrevTab: bind("shift+tab", "previous tab", "shift+tab"),
		Tab:     bind("1-6", "go to tab", "1", "2", "3", "4", "5", "6"),
		Help:    bind("?", "help", "?"),
		Filter:  bind("/", "filter", "/"),
		Cancel:  bind("esc", "cancel", "esc"),
		Quit:    bind("q", "quit", "q", "ctrl+c"),
		// ForceQuit works everywhere, text fields included.
		ForceQuit: bind("ctrl+c", "quit", "ctrl+c"),

		Up:       bind("↑/k", "up", "up", "k"),
		Down:     bind("↓/j", "down", "down", "j"),
		PageUp:   bind("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: bind("pgdn", "page down", "pgdown", "ctrl+d"),
		Home:     bind("home/g", "first", "home", "g"),
		End:      bind("end/G", "last", "end", "G"),
		Enter:    bind("enter", "open", "enter"),
		Apply:    bind("enter", "apply", "enter"),
		Keep:     bind("enter", "keep", "enter"),

		Period:  bind("p", "period", "p"),
		Sort:    bind("s", "sort column", "s"),
		Reverse: bind("r", "reverse", "r"),
		Wilson:  bind("w", "Wilson rank", "w"),

		Team:         bind("t", "team", "t"),
		Channel:      bind("c", "channel", "c"),
		Audience:     bind("a", "audience", "a"),
		Origin:       bind("o", "origin", "o"),
		CustomPeriod: bind("P", "from..to", "P"),
		Trend:        bind("T", "trend chart", "T"),

		Claim:        bind("c", "claim", "c"),
		Contact:      bind("o", "contacted", "o"),
		Resolve:      bind("x", "resolve", "x"),
		ShowResolved: bind("a", "show resolved", "a"),

		Back: bind("esc", "back", "esc", "backspace"),

		SayCustomer: bind("c", "customer says", "c"),
		SayTeammate: bind("t", "teammate says", "t"),
		SayBot:      bind("b", "bot says", "b"),
		Note:        bind("N", "note", "N"),
		AddCustomer: bind("a", "add customer", "a"),
		Snooze:      bind("z", "snooze", "z"),
		Close:       bind("x", "close", "x"),
		Reopen:      bind("o", "reopen", "o"),
		Ask:         bind("K", "workflow asks", "K"),
		Rate:        bind("v", "rate 1-5", "v"),
		// Every digit is taken, so that the rules can refuse 0 or 9 with a reason.
		RateValue: bind("1-5", "rating", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		Comment:   bind("m", "comment", "m"),
		Advance:   bind("+", "advance clock", "+"),
		NewConv:   bind("n", "new conversation", "n"),
		NextConv:  bind("]/[", "next/prev conversation", "]"),
		PrevConv:  bind("[", "previous conversation", "["),
		Profile:   bind("P", "switch profile", "P"),
		Save:      bind("S", "save as script", "S"),

		Scenarios:    bind("L", "saved scenarios", "L"),
		LoadScenario: bind("enter", "load into the sandbox", "enter"),
		WriteFile:    bind("w", "write to a file", "w"),

		Edit:         bind("enter", "edit", "enter", " "),
		SaveSettings: bind("ctrl+s", "save", "ctrl+s"),
		Discard:      bind("u", "discard changes", "u"),
	}
}

// frameKeys are shown in every view's help.
func (k *KeyMap) frameKeys() []key.Binding {
	return []key.Binding{k.NextTab, k.PrevTab, k.Tab, k.Filter, k.Help, k.Quit}
}

// listKeys are the movement keys of every list.
func (k *KeyMap) listKeys() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// tabIndex is the tab a Tab key names (its place among the Tab keys), or -1.
func (k *KeyMap) tabIndex(msg tea.KeyMsg) int {
	for i, s := range k.Tab.Keys() {
		if s == msg.String() {
			return i
		}
	}
	return -1
}
