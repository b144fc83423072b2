//go:build unix

package reliability

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUpgradeOfASchema2Store opens a store the previous csat wrote
// (store/testdata/schema2: a scenario script's settings changes and an
// Intercom import, with its marks): a read-only command refuses it,
// naming the upgrade, and changes nothing; the first writing command
// (a script setting a setting) upgrades it, saying so on stderr, after
// which both exports are byte for byte what the previous csat exported,
// and check passes.
func TestUpgradeOfASchema2Store(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	copyDir(t, "../store/testdata/schema2", dir)
	before := fileSums(t, dir)
	r := csat(t, "export", "ratings", "--data-dir", dir)
	wantFailure(t, r, 2, "older csat (schema 2)", "upgrades it")
	if after := fileSums(t, dir); !maps.Equal(before, after) {
		t.Fatal("the refused read-only command changed the store's files")
	}
	// A script that only sets a setting is a writing command that leaves
	// both exports alone: they show the upgrade alone. (Re-importing the
	// Intercom export writes the names it gives:
	// TestReimportIntoAnUpgradedSchema2Store.)
	script := filepath.Join(t.TempDir(), "setting.csat")
	if err := os.WriteFile(script, []byte("set workspace target 80\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = csat(t, "simulate", "run", "--data-dir", dir, script)
	if r.code != 0 {
		t.Fatalf("a script into the schema-2 store:\n%s", r)
	}
	if !regexp.MustCompile(`upgrading the store in .* from schema 2 to \d+, once`).MatchString(r.stderr) || !strings.Contains(r.stderr, "upgraded in") {
		t.Errorf("the upgrading command did not say so on stderr:\n%s", r)
	}
	if r = csat(t, "simulate", "run", "--data-dir", dir, script); r.code != 0 || strings.Contains(r.stderr, "upgrad") {
		t.Errorf("a second writing command:\n%s", r)
	}
	for _, what := range []string{"ratings", "conversations"} {
		want, err := os.ReadFile("../store/testdata/schema2." + what + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		if got := previousColumns(export(t, dir, what)); got != string(want) {
			t.Errorf("export %s after the upgrade differs from the previous csat's:\n%s\nwant\n%s", what, got, want)
		}
	}
	checkStore(t, dir)
}

// previousColumns drops the columns the exports gained after the previous
// csat, appended at the end of each row: the assigned team (both exports),
// then the display names (ratings).
func previousColumns(csv string) string {
	for _, added := range []string{",team,team_name", ",agent_name,customer_name"} {
		csv = dropLastColumns(csv, added)
	}
	return csv
}

// dropLastColumns drops the last columns of every row when the header ends
// with them (added, as ",a,b").
func dropLastColumns(csv, added string) string {
	lines := strings.SplitAfter(csv, "\n")
	n := strings.Count(added, ",")
	for i, l := range lines {
		body := strings.TrimSuffix(l, "\n")
		if i == 0 && !strings.HasSuffix(body, added) {
			return csv
		}
		for range n {
			if j := strings.LastIndexByte(body, ','); j >= 0 {
				body = body[:j]
			}
		}
		if body != "" {
			lines[i] = body + "\n"
		}
	}
	return strings.Join(lines, "")
}

// TestReimportIntoAnUpgradedSchema2Store: a schema-2 store keyed Intercom
// teammates by sanitized names (Mo.Farah), today's csat by admin id.
// Importing the same export again into the upgraded store joins the old
// rows (their marks name the admin ids) instead of counting the ratings a
// second time under the ids: the leaderboard keeps its counts, now shows
// the names Intercom gives, and the summary says so; a third import
// writes nothing; check passes.
func TestReimportIntoAnUpgradedSchema2Store(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	copyDir(t, "../store/testdata/schema2", dir)
	script := filepath.Join(t.TempDir(), "setting.csat")
	if err := os.WriteFile(script, []byte("set workspace target 80\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := csat(t, "simulate", "run", "--data-dir", dir, script); r.code != 0 {
		t.Fatalf("upgrade:\n%s", r)
	}
	report := func() string {
		r := csat(t, "report", "--period", "all", "--format", "csv", "--data-dir", dir)
		if r.code != 0 {
			t.Fatalf("report:\n%s", r)
		}
		return r.stdout
	}
	before := report()
	r := csat(t, "import", "intercom", "--data-dir", dir, "../intercom/testdata/export_v1.jsonl")
	if r.code != 0 || !strings.Contains(r.stdout, "note: an older csat keyed 2 Intercom teammates by their names") ||
		!strings.Contains(r.stdout, "Mo.Farah (admin 991267391)") {
		t.Fatalf("re-import:\n%s", r)
	}
	after := report()
	if want := strings.NewReplacer("Mo.Farah,", "Mo Farah,", "Ciaran.Lee,", "Ciaran Lee,").Replace(before); after != want {
		t.Fatalf("the leaderboard after the re-import:\n%s\nwant the same counts under the names Intercom gives:\n%s", after, want)
	}
	if strings.Contains(after, "991267391") {
		t.Fatalf("a second row under the admin id:\n%s", after)
	}
	r = csat(t, "import", "intercom", "--data-dir", dir, "../intercom/testdata/export_v1.jsonl")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "imported 2 records: 0 events written") {
		t.Fatalf("a third import wrote something:\n%s", r)
	}
	checkStore(t, dir)
}
