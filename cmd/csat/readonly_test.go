package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// readingCommands are the commands that only read the store: each opens
// it read-only.
var readingCommands = [][]string{
	{"check"},
	{"export", "ratings"},
	{"export", "conversations", "--format", "jsonl"},
	{"report", "--period", "all"},
	{"report", "--period", "all", "--format", "json", "--compare"},
	{"teammates", "list"},
	{"teams", "list"},
	{"simulate", "scenarios", "list"},
	{"simulate", "whatif", "--set", "users.direct-outbound=off", "--since", "3650d"},
	{"simulate", "whatif", "--against", "observed"},
}

// Every reading command leaves the data directory as it was: no file
// added or removed, and every file's size, time and bytes the same
// (LOCK, MANIFEST, KEYREGISTRY, the tables, logs and the counters
// summary), on a store closed cleanly and on one a killed writer left,
// which a reader reads through a shadow of it.
func TestReadingCommandsChangeNothing(t *testing.T) {
	clean := filepath.Join(t.TempDir(), "clean")
	if code, _, errOut := csat(t, "--data-dir", clean, "import", "intercom", "../../intercom/testdata/export_v2.json"); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	killed := killedWriterDir(t)
	for _, dir := range []string{clean, killed} {
		before := dirState(t, dir)
		for _, args := range readingCommands {
			code, _, errOut := csat(t, append([]string{"--data-dir", dir}, args...)...)
			if code != 0 {
				t.Errorf("%s: csat %s: exit %d: %s", filepath.Base(dir), strings.Join(args, " "), code, errOut)
			}
			if after := dirState(t, dir); after != before {
				t.Fatalf("%s: csat %s changed the data directory:\nbefore\n%s\nafter\n%s", filepath.Base(dir), strings.Join(args, " "), before, after)
			}
		}
	}
}

// killedWriterDir is a copy of a store's files taken while its writer
// still had it open: what a SIGKILL leaves (Badger writes its memtable
// logs through memory maps, which the copy reads).
func killedWriterDir(t *testing.T) string {
	t.Helper()
	live := filepath.Join(t.TempDir(), "live")
	st, err := store.Open(store.Options{Dir: live})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := simulate.Load(t.Context(), st, simulate.LoadConfig{Teammates: 4, Conversations: 60, Days: 20, Seed: 3, End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "killed")
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(live)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		in, err := os.Open(filepath.Join(live, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
