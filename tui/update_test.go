package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// driver steps a model the way Bubble Tea would, but in the test's own
// goroutine: each command runs to its end before the next key, so a test
// can look at the screen between keys without waiting on a clock. (teatest
// runs commands concurrently, which suits the goldens and the live feed.)
// Tests turn ticks and the live feed off, so every command returns.
type driver struct {
	t    *testing.T
	m    *Model
	quit bool
}

func drive(t *testing.T, m *Model, w, h int) *driver {
	d := &driver{t: t, m: m}
	d.run(m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

func (d *driver) send(msg tea.Msg) {
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

func (d *driver) keys(keys ...string) {
	for _, k := range keys {
		d.send(keyMsg(k))
	}
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case tea.QuitMsg:
		d.quit = true
	case nil:
	default:
		d.send(msg)
	}
}

func (d *driver) view() string { return d.m.View() }

func (d *driver) contains(want ...string) {
	d.t.Helper()
	v := d.view()
	for _, w := range want {
		if !strings.Contains(v, w) {
			d.t.Errorf("screen lacks %q:\n%s", w, v)
		}
	}
}

func (d *driver) lacks(unwanted ...string) {
	d.t.Helper()
	v := d.view()
	for _, w := range unwanted {
		if strings.Contains(v, w) {
			d.t.Errorf("screen shows %q:\n%s", w, v)
		}
	}
}

func TestTabKeysSwitchTabs(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	steps := []struct {
		key  string
		want int
	}{{"tab", 1}, {"tab", 2}, {"shift+tab", 1}, {"6", 5}, {"tab", 0}, {"shift+tab", 5}, {"4", 3}, {"1", 0}}
	for _, s := range steps {
		d.keys(s.key)
		if d.m.Active() != s.want {
			t.Fatalf("after %q: tab %d, want %d", s.key, d.m.Active(), s.want)
		}
	}
	d.keys("?")
	d.contains("Wilson rank", "page down", "previous tab")
	d.keys("?")
	d.lacks("previous tab")
}

func TestFilterOwnsTheKeyboard(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.keys("/q2") // typed quickly: one message, three keys
	if d.quit {
		t.Fatal("q typed into the filter quit the dashboard")
	}
	if d.m.Active() != 0 {
		t.Fatal("a digit typed into the filter switched tabs")
	}
	d.contains("filter: q2")
	d.keys("backspace", "backspace", "c", "l", "e")
	d.contains("cleo")
	d.lacks(" 1 ada", " 3 bob")
	d.keys("esc")
	d.contains(" 1 ada", " 3 bob")
	d.lacks("filter:")
	d.keys("q")
	if !d.quit {
		t.Fatal("q outside a text field did not quit")
	}
}

func TestLeaderboardKeys(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.contains("30d · sort score · by score", "dan *", "Bot agents")
	d.keys("w")
	d.contains("by Wilson lower bound")
	d.keys("p")
	d.contains("90d ·")
	d.keys("s")
	d.contains("sort ratings")
	lines := strings.Split(d.view(), "\n")
	if !strings.Contains(lines[6], "bob") { // the first teammate row (below the scope line): most ratings
		t.Errorf("sorted by ratings, bob (9) should lead:\n%s", d.view())
	}
	d.send(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	d.contains("tom:") // the detail line follows the cursor, three rows down
}

func TestFollowUpWorkflowIsPersisted(t *testing.T) {
	st := fixtureStore(t)
	d := drive(t, newTestModel(t, st, "tom"), 100, 30)
	d.keys("2", "down", "c")
	d.keys("q", "uoting the refund")
	if d.quit {
		t.Fatal("q typed into the note quit")
	}
	d.keys("enter")
	d.keys("o", "called back", "enter", "x", "refund sent", "enter")
	items, err := st.FollowUps(store.FollowUpFilter{IncludeResolved: true})
	if err != nil {
		t.Fatal(err)
	}
	var got *store.FollowUpItem
	for i := range items {
		if items[i].Conv == "c21" {
			got = &items[i]
		}
	}
	if got == nil || got.FollowUp.Stage != domain.StageResolved || got.FollowUp.By != "tom" || got.FollowUp.Note != "refund sent" {
		t.Fatalf("c21 after claim, contact, resolve: %+v", got)
	}
	d.lacks("user:cust21")
	d.keys("a")
	d.contains("resolved tom")
}

func TestSettingsValidationAndAudit(t *testing.T) {
	st := fixtureStore(t)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys("6", "down", "down", "down", "down", "enter") // users change window
	for range 3 {
		d.keys("backspace")
	}
	d.keys("9000")
	d.contains("✗ users.change-window: invalid hours \"9000\"")
	d.keys("enter", "ctrl+s")
	if got := st.Settings().Users.ChangeWindowHours; got != 72 {
		t.Fatalf("an invalid value was saved: %d", got)
	}
	for range 4 {
		d.keys("backspace")
	}
	d.keys("q48", "backspace", "backspace", "backspace", "48")
	if d.quit {
		t.Fatal("q typed into a setting quit")
	}
	d.keys("enter")
	d.contains("* 48", "what-if, last 30 days", "1 unsaved change")
	// Turning the survey off for users: every close in the window would be skipped; the Workflow ask still sends.
	d.keys("home", "enter")
	d.contains("sent     33 → 1", "skipped  1 → 33", "  disabled 0 → 32", "2 unsaved change")
	d.keys("enter") // back on: only the window change is pending
	d.keys("ctrl+s")
	if got := st.Settings().Users.ChangeWindowHours; got != 48 {
		t.Fatalf("change window after save: %d, want 48", got)
	}
	d.contains("ada users.change-window 72→48")
}

func TestTeammateSeesSettingsReadOnly(t *testing.T) {
	st := fixtureStore(t)
	d := drive(t, newTestModel(t, st, "tom"), 100, 30)
	d.keys("6")
	d.contains("read-only: only admins change settings", "You are a teammate")
	d.keys("down", "enter", "ctrl+s")
	if !strings.Contains(d.m.flash, "only admins change settings") {
		t.Errorf("no explanation for the teammate, flash %q", d.m.flash)
	}
	if st.Settings() != fixtureSettings(t) {
		t.Fatal("a teammate changed a setting")
	}
}

func fixtureSettings(t *testing.T) domain.Settings {
	s := domain.DefaultSettings()
	s.Users.ChangeWindowHours = 72
	return s
}

func TestHiddenScoresLeaveTheStreamAtOnce(t *testing.T) {
	st := fixtureStore(t)
	admin := drive(t, newTestModel(t, st, "ada"), 100, 30)
	mate := drive(t, newTestModel(t, st, "tom"), 100, 30)
	open := func(d *driver) { d.keys("4", "end", "enter") }
	open(mate)
	mate.contains("rated 🤩 amazing for ada")
	// The admin turns the setting on.
	admin.keys("6")
	for range 12 {
		admin.keys("down")
	}
	admin.keys("enter", "ctrl+s")
	if !st.Settings().HideScores {
		t.Fatal("hide-scores was not saved")
	}
	mate.send(reloadMsg{}) // what the live feed delivers after the commit
	mate.contains("ratings hidden from teammates")
	mate.lacks("rated 🤩", "remarks:", "🤩")
	open(admin)
	admin.contains("rated 🤩 amazing for ada")
}

func TestResizeKeepsTheFrame(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	for _, size := range [][2]int{{80, 24}, {132, 43}, {80, 24}} {
		for tab := range 6 {
			d.keys(itoa(tab + 1))
			d.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			for _, help := range []bool{false, true} {
				if help {
					d.keys("?")
				}
				lines := strings.Split(d.view(), "\n")
				if len(lines) != size[1] {
					t.Errorf("tab %d at %dx%d (help %v): %d lines", tab+1, size[0], size[1], help, len(lines))
				}
				for i, l := range lines {
					if w := ansi.StringWidth(l); w > size[0] {
						t.Errorf("tab %d at %dx%d: line %d is %d wide: %q", tab+1, size[0], size[1], i, w, l)
					}
				}
				if help {
					d.keys("?")
				}
			}
		}
	}
}

func TestSimulatorExplainsAndSavesAReplayableScript(t *testing.T) {
	st := fixtureStore(t)
	before := st.Seq()
	m, err := New(Options{Store: st, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, NoLive: true, Tick: -1, FileAccess: true})
	if err != nil {
		t.Fatal(err)
	}
	d := drive(t, m, 100, 30)
	long := strings.Repeat("The export times out on every report we run. ", 6)
	d.keys("5", "n", "enter", "c", long, "enter", "t", "Short answer.", "enter", "x")
	d.contains("close c1 → sent to ada", "length", "/250 chars", "✓", "under operator: sent to ada")
	d.keys("v", "5")
	d.contains("rate c1 → accepted", "slot ada: 🤩 amazing")
	d.keys("m", "Thanks!", "enter", "v", "1")
	d.contains("rate c1 → refused: locked_by_comment", "no comment yet")
	d.keys("n", "user:zed direct", "enter", "t", "Hello from us", "enter", "P", "x")
	d.contains("operator", "close c2 → skipped", "customer started", "under intercom:")
	d.keys("+", "8d", "enter")
	d.contains("Jan 9 09:00")
	path := filepath.Join(t.TempDir(), "session.csat")
	d.keys("S", path, "enter")
	d.contains("saved")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	script, err := simulate.Parse(path, src)
	if err != nil {
		t.Fatalf("saved script does not parse: %v\n%s", err, src)
	}
	res, err := simulate.Run(script, simulate.NewMemory(), simulate.Options{})
	if err != nil || len(res.Failures) > 0 || res.Expectations < 5 {
		t.Fatalf("replay: %v %v (%d expectations)\n%s", err, res.Failures, res.Expectations, src)
	}
	if !strings.Contains(string(src), "set users change-window 72") {
		t.Errorf("the sandbox was not seeded with the store's settings:\n%s", src)
	}
	if st.Seq() != before {
		t.Fatal("the simulator wrote into the store")
	}
}

func TestLiveRatingReachesTheScreen(t *testing.T) {
	st := fixtureStore(t)
	m, err := New(Options{Store: st, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, Tick: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "dan *") }, teatest.WithDuration(programBound))
	// dan gets three more ratings: five in all, so he is ranked now.
	at := st.Latest()
	for i := 0; i < 3; i++ {
		conv := "live" + itoa(i)
		cust := domain.User("l" + itoa(i))
		text := strings.Repeat("x", 260)
		for _, ev := range []domain.Event{
			{Kind: domain.EvStart, Conv: conv, Actor: cust, At: at},
			{Kind: domain.EvSay, Conv: conv, Actor: cust, Text: text, At: at},
			{Kind: domain.EvSay, Conv: conv, Actor: domain.Teammate("dan"), Text: "ok", At: at},
			{Kind: domain.EvClose, Conv: conv, Actor: domain.Teammate("dan"), At: at},
			{Kind: domain.EvRate, Conv: conv, Actor: cust, Value: 5, At: at},
		} {
			if _, err := st.Apply(ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "1 dan ") }, teatest.WithDuration(programBound))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	v := tm.FinalModel(t, teatest.WithFinalTimeout(programBound)).View()
	if strings.Contains(v, "dan *") || !strings.Contains(v, "1 dan ") {
		t.Fatalf("dan should be ranked first now:\n%s", v)
	}
}

// An item past its change window without a comment says so; it read
// "rating locked by a comment" before.
func TestFollowUpDetailSaysWhyTheRatingIsFinal(t *testing.T) {
	st := fixtureStore(t)
	// Past the 72-hour change window of the newest rating, c28's: the
	// store's newest event is later.
	if _, err := st.Apply(domain.Event{Kind: domain.EvStart, Conv: "later", Actor: domain.User("zoe"), At: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	items, err := st.FollowUps(store.FollowUpFilter{})
	if err != nil {
		t.Fatal(err)
	}
	idx := -1
	for i, it := range items {
		if it.Comment == "" && it.Window.State == domain.WindowChangeClosed {
			idx = i
			break
		}
	}
	if idx < 0 {
		t.Fatalf("the fixture has no uncommented item past its change window: %+v", items)
	}
	it := items[idx]
	d := drive(t, newTestModel(t, st, "tom"), 100, 30)
	d.keys("2")
	for range idx {
		d.keys("down")
	}
	d.contains(it.Conv + " · terrible for " + it.Agent.Name + " · change window closed " + it.Window.Until.Format("Jan 2 15:04"))
	d.lacks(it.Conv + " · terrible for " + it.Agent.Name + " · rating locked by a comment")
}

// TestSimulatorWithoutFileAccessSavesIntoTheStore: a dashboard that may not
// touch files (a session of csat serve) keeps the session as a named
// scenario; a path typed at the prompt is refused as a name, no file made.
func TestSimulatorWithoutFileAccessSavesIntoTheStore(t *testing.T) {
	st := fixtureStore(t)
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys("5", "n", "enter", "t", "Hello there", "enter")
	path := filepath.Join(t.TempDir(), "pwned")
	d.keys("S")
	d.contains("save as scenario named:")
	d.keys(path, "enter")
	d.contains("scenario name")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the dashboard wrote %s: %v", path, err)
	}
	d.keys("S", "drill-1", "enter")
	d.contains("saved 4 steps as scenario drill-1")
	sc, ok, err := st.Scenario("drill-1")
	if err != nil || !ok || sc.By != "ada" || !strings.Contains(sc.Script, `say c1 ada "Hello there"`) {
		t.Fatalf("stored scenario: %+v %v %v", sc, ok, err)
	}
	if _, err := simulate.Parse("drill-1", []byte(sc.Script)); err != nil {
		t.Fatalf("stored scenario does not parse: %v\n%s", err, sc.Script)
	}
}

func TestSimulatorTakesASettingSavedAfterItOpened(t *testing.T) {
	st := fixtureStore(t)
	m, err := New(Options{Store: st, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, NoLive: true, Tick: -1, FileAccess: true})
	if err != nil {
		t.Fatal(err)
	}
	d := drive(t, m, 100, 30)
	d.keys("5", "P") // the trainer's own change stays theirs
	if _, err := st.Apply(domain.Event{Kind: domain.EvSet, At: st.Latest(), Setting: domain.SettingKey{Scope: "users", Name: "change-window"}, Text: "48", By: "ada"}); err != nil {
		t.Fatal(err)
	}
	d.send(reloadMsg{})
	path := filepath.Join(t.TempDir(), "session.csat")
	d.keys("S", path, "enter")
	d.contains("saved")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	if !strings.Contains(text, "set users change-window 72") || !strings.Contains(text, "set users change-window 48") || !strings.Contains(text, "operator") {
		t.Fatalf("the script lacks the setting saved later, or the trainer's profile:\n%s", text)
	}
	if got := m.views[TabSimulator].(*simulator).mem.Settings().Profile; got != domain.ProfileOperator {
		t.Fatalf("the sandbox's profile became %s", got)
	}
}

func TestSettingsErrorWrapsAt80x24(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 80, 24)
	d.keys("6", "down", "down", "down", "down", "enter", "backspace", "backspace", "9000")
	s := domain.DefaultSettings()
	err := s.Set(domain.SettingKey{Scope: "users", Name: "change-window"}, "9000")
	if err == nil {
		t.Fatal("9000 hours was taken")
	}
	// Every word of the message is on the screen, none cut.
	view := d.view()
	for _, w := range strings.Fields(err.Error()) {
		if !strings.Contains(view, w) {
			t.Fatalf("the screen lacks %q of %q:\n%s", w, err.Error(), view)
		}
	}
}
