package tui

import (
	"os"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// ScenarioKeeper keeps simulator sessions by name and gives one back as it
// was saved (what a file of it must hold); *store.Store satisfies it.
type ScenarioKeeper interface {
	SaveScenario(sc store.Scenario) error
	Scenario(name string) (sc store.Scenario, ok bool, err error)
}

// askSave asks where the session goes: a file only when the dashboard may
// touch the files of the machine it runs on (the local dashboard), a
// scenario name in the store otherwise (a session of csat serve, whose
// files belong to the server, not to whoever holds a key).
func (v *simulator) askSave() tea.Cmd {
	if v.c.fileAccess {
		return v.ask(actSave, "csat-session.txt")
	}
	cmd := v.ask(actSave, "my-session")
	v.input.Prompt = "save as scenario named: "
	sizeInput(&v.input, v.width)
	return cmd
}

// save writes the session to the file or the store scenario askSave asked for.
func (v *simulator) save(target string) tea.Cmd {
	if v.c.fileAccess {
		return v.saveFile(target)
	}
	return v.saveScenario(target)
}

// saveFile writes the session's script to path. The script is made here;
// the file is written by the command, off Update.
func (v *simulator) saveFile(path string) tea.Cmd {
	if path == "" {
		path = "csat-session.txt"
	}
	var script scriptBuffer
	if err := simulate.WriteScript(&script, v.steps); err != nil {
		return flashErr(err)
	}
	done := "saved " + counted(len(v.steps), "step", "steps") + " · replay with: csat simulate run " + shellArg(path)
	return func() tea.Msg {
		if err := os.WriteFile(path, script, 0o666); err != nil {
			return flashErr(err)()
		}
		return flash(done)()
	}
}

// saveScenario keeps the session in the store as the scenario name; the
// store is written by the command, off Update.
func (v *simulator) saveScenario(name string) tea.Cmd {
	if name == "" {
		name = "my-session"
	}
	if v.c.scenarios == nil {
		return flashErr(errorf("this dashboard cannot keep scenarios"))
	}
	if err := store.ValidScenarioName(name); err != nil {
		return flashErr(err)
	}
	var script scriptBuffer
	if err := simulate.WriteScript(&script, v.steps); err != nil {
		return flashErr(err)
	}
	sc := store.Scenario{Name: name, By: v.c.viewer, SavedAt: v.c.clock().UTC(), Script: string(script)}
	keeper, writes := v.c.scenarios, &v.c.reads
	done := "saved " + counted(len(v.steps), "step", "steps") + " as scenario " + name + " · print it with: csat simulate scenarios show " + shellArg(name)
	return func() tea.Msg {
		if !writes.enter() {
			return nil
		}
		defer writes.leave()
		if err := keeper.SaveScenario(sc); err != nil {
			return flashErr(err)()
		}
		return flash(done)()
	}
}

// scriptBuffer collects a written script.
type scriptBuffer []byte

func (b *scriptBuffer) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}
