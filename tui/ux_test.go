package tui

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// On a short terminal the full help gives way, its legend first: the tab
// bar and the keys stay, and the frame is never taller than the screen.
func TestHelpFitsAShortTerminal(t *testing.T) {
	for _, size := range [][2]int{{100, 12}, {250, 12}, {80, 10}} {
		d := drive(t, newTestModel(t, fixtureStore(t), "ada"), size[0], size[1])
		d.keys("?")
		lines := strings.Split(d.view(), "\n")
		if len(lines) != size[1] {
			t.Errorf("%dx%d: the frame has %d lines:\n%s", size[0], size[1], len(lines), d.view())
		}
		if !strings.Contains(lines[0], "1 Leaderboard") {
			t.Errorf("%dx%d: the tab bar is gone:\n%s", size[0], size[1], d.view())
		}
		d.contains("? ", "help", "q ", "quit")
	}
}

// No line of a frame ends in padding: a line short of the width is drawn
// with an erase to its end, so a terminal that lays text out narrower
// than counted (tmux around a zero-width joiner) keeps no stale cells.
func TestFramesEndTheirLinesWithoutPadding(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	for _, k := range []string{"1", "enter", "esc", "2", "3", "4", "5", "6"} {
		d.keys(k)
		for i, l := range strings.Split(d.view(), "\n") {
			if strings.HasSuffix(l, " ") {
				t.Fatalf("after %q, line %d ends in a blank: %q", k, i, l)
			}
		}
	}
}

// A long data directory gives way at its start; the tab's text and how
// fresh the data is stay on the status bar.
func TestStatusBarCutsALongStoreName(t *testing.T) {
	m, err := New(Options{Store: fixtureStore(t), Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow },
		StoreName: "/home/someone/a/very/long/path/to/the/data/directory/of/csat/ref-1m-9 (read-only)", NoLive: true, Tick: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		d := drive(t, m, size[0], size[1])
		lines := strings.Split(d.view(), "\n")
		bar := lines[len(lines)-1]
		want := []string{"…", "30d · sort", "● not live"}
		if size[0] == 100 {
			want = append(want, "ref-1m-9 (read-only)")
		}
		for _, w := range want {
			if !strings.Contains(bar, w) {
				t.Errorf("%dx%d: status bar lacks %q: %q", size[0], size[1], w, bar)
			}
		}
	}
}

// The note's line fits the screen whatever the stage's prompt: the text
// typed, its end included, and no cut.
func TestFollowUpNoteFitsTheLine(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		d := drive(t, newTestModel(t, fixtureStore(t), "ada"), size[0], size[1])
		d.keys("2", "o", "called them, refunded the invoice, and sent a written apology with the note")
		var line string
		for _, l := range strings.Split(d.view(), "\n") {
			if strings.HasPrefix(l, "contacted · note: ") {
				line = l
			}
		}
		if line == "" || strings.HasSuffix(line, "…") || !strings.Contains(line, "apology with the note") {
			t.Errorf("%dx%d: the note's line is %q:\n%s", size[0], size[1], line, d.view())
		}
	}
}

// A teammate's page says its lists are loading until they are read: on a
// large store "open follow-ups (0)" said there were none for seconds.
func TestTeammatePageSaysItIsLoading(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	_, cmd := d.m.Update(keyMsg("enter"))
	d.contains("open follow-ups (loading…)", "open follow-ups loading…", "newest first (", "· loading…")
	d.lacks("open follow-ups (0)", "0 open follow-ups")
	d.run(cmd)
	d.lacks("loading…")
	d.contains("open follow-ups (")
}

// Typing in the filter of a tab whose search is still running is not held
// behind it, and starts no second search beside it: once it lands, one
// search for what the filter then says.
func TestFilterTypingDoesNotWaitForARunningSearch(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.keys("4", "/")
	_, first := d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")})
	if first == nil {
		t.Fatal("typing c started no search")
	}
	_, cmd := d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	d.contains("filter: cq") // not held until the search for c lands
	d.contains("searching “c”…")
	if msg := runAll(cmd); msg != nil {
		t.Fatalf("a second search started beside the running one: %T", msg)
	}
	d.run(first) // c lands, then cq is searched
	d.contains("filter: cq", "no conversation has “cq”")
}

// runAll runs cmd and what it batches, returning the first message that is
// not a text field's own (nil when there is none).
func runAll(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			if m := runAll(c); m != nil {
				return m
			}
		}
		return nil
	case loadedMsg:
		return msg
	}
	return nil
}

// The answer to an action is read once: a long one takes the clock's
// place rather than lose its end, and the command it suggests can be
// pasted as it reads (a path with a space is quoted).
func TestSaveSaysWhereInFull(t *testing.T) {
	m, err := New(Options{Store: fixtureStore(t), Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow },
		StoreName: "fixture", NoLive: true, Tick: -1, FileAccess: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	t.Chdir(t.TempDir())
	path := "my session.csat"
	d := drive(t, m, 100, 30)
	d.keys("5", "n", "enter", "S")
	for range len("csat-session.txt") {
		d.keys("backspace")
	}
	d.keys(path, "enter")
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	d.contains("saved 3 steps · replay with: csat simulate run '" + path + "'")
}

// A setting's field starts empty, its value the placeholder: typing 48
// into "rating window, hours" (off) gives 48, not "off48"; enter on
// nothing typed keeps the value.
func TestSettingFieldStartsAfresh(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.keys("6", "down", "down", "down", "enter", "48", "enter")
	d.contains("rating window, hours        * 48", "1 unsaved change")
	d.lacks("invalid hours")
	d.keys("down", "enter", "enter")
	d.contains("change window, hours          72", "1 unsaved change")
}

// Every prompt of the simulator fits its line, the longest (a session of
// csat serve saving a scenario) included.
func TestSimulatorPromptsFitTheLine(t *testing.T) {
	for _, fileAccess := range []bool{true, false} {
		m, err := New(Options{Store: fixtureStore(t), Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow },
			StoreName: "fixture", NoLive: true, Tick: -1, FileAccess: fileAccess})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Close)
		d := drive(t, m, 80, 24)
		d.keys("5", "n", "enter", "S", strings.Repeat("x", 70))
		for _, l := range strings.Split(d.view(), "\n") {
			if strings.HasPrefix(l, "save ") && strings.HasSuffix(l, "…") {
				t.Errorf("file access %v: the prompt is cut: %q", fileAccess, l)
			}
		}
	}
}

// A short store name is never cut, at 80 columns either.
func TestStatusBarKeepsAShortStoreName(t *testing.T) {
	m, err := New(Options{Store: fixtureStore(t), Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow },
		StoreName: "csat serve", NoLive: true, Tick: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	d := drive(t, m, 80, 24)
	d.contains(" csat serve  ada (admin)")
}
