package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/store"
)

// readOnlyFixture is the fixture's store on disk, opened read-only as
// csat --read-only opens it.
func readOnlyFixture(t *testing.T) *store.Store {
	t.Helper()
	dir := fixtureDir(t)
	ro, err := store.Open(store.Options{Dir: dir, ReadOnly: true, Interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
}

// On a store opened read-only every write the dashboard offers is refused
// with a message saying why, and changes nothing: a follow-up step, a
// settings save, a simulator session kept as a scenario. (The local
// dashboard saves a session to a file the user names instead, which is
// not the store's: --read-only leaves that to them.)
func TestReadOnlyDashboardRefusesEveryWrite(t *testing.T) {
	st := readOnlyFixture(t)
	m, err := New(Options{Store: st, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, StoreName: "fixture (read-only)", NoLive: true, Tick: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	d := drive(t, m, 100, 30)
	seq, settings := st.Seq(), st.Settings()
	refused := func(what string) {
		t.Helper()
		if !strings.Contains(d.m.flash, "read-only") {
			t.Errorf("%s: flash %q, want it refused as read-only", what, d.m.flash)
		}
		if st.Seq() != seq || st.Settings() != settings {
			t.Fatalf("%s: the store changed (seq %d, was %d)", what, st.Seq(), seq)
		}
		d.m.flash = ""
	}
	d.keys("2", "down", "c", "enter")
	refused("claiming a follow-up")
	d.keys("6", "down", "down", "down", "down", "enter")
	for range 3 {
		d.keys("backspace")
	}
	d.keys("48", "enter", "ctrl+s")
	refused("saving a setting")
	d.keys("5", "n", "enter", "t", "Hello there", "enter")
	sim := d.m.views[TabSimulator].(*simulator)
	d.run(sim.saveScenario("drill"))
	refused("keeping a simulator session as a scenario")
	if _, found, err := st.Scenario("drill"); err != nil || found {
		t.Fatalf("the scenario was kept: %v %v", found, err)
	}
}
