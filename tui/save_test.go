package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Saving a session writes nothing while Update runs: the file, or the
// store's scenario, is written by the command it returns.
func TestSaveWritesInItsCommand(t *testing.T) {
	st := fixtureStore(t)
	m, err := New(Options{Store: st, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, NoLive: true, Tick: -1, FileAccess: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	d := drive(t, m, 100, 30)
	d.keys("5", "n", "enter", "t", "Hello there", "enter")
	sim := d.m.views[TabSimulator].(*simulator)

	path := filepath.Join(t.TempDir(), "session.csat")
	cmd := sim.saveFile(path)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("saveFile wrote %s before its command ran: %v", path, err)
	}
	msg, ok := cmd().(flashMsg)
	if !ok || msg.err || msg.text != "saved 4 steps · replay with: csat simulate run "+path {
		t.Fatalf("the command's message: %+v", msg)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), `say c1 ada "Hello there"`) {
		t.Fatalf("the file holds %q, %v", b, err)
	}
	bad := sim.saveFile(filepath.Join(t.TempDir(), "no", "such", "dir.csat"))
	if msg, ok := bad().(flashMsg); !ok || !msg.err {
		t.Fatalf("a path that cannot be written: %+v", msg)
	}

	cmd = sim.saveScenario("drill-2")
	if _, found, err := st.Scenario("drill-2"); err != nil || found {
		t.Fatalf("saveScenario wrote the store before its command ran: %v %v", found, err)
	}
	if msg, ok := cmd().(flashMsg); !ok || msg.err || !strings.Contains(msg.text, "saved 4 steps as scenario drill-2") {
		t.Fatalf("the command's message: %+v", msg)
	}
	if sc, found, err := st.Scenario("drill-2"); err != nil || !found || sc.By != "ada" {
		t.Fatalf("stored scenario %+v %v %v", sc, found, err)
	}
}
