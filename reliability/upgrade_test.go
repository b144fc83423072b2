package reliability

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUpgradeOfASchema2Store opens a store the previous csat wrote
// (store/testdata/schema2: a scenario script's settings changes and an
// Intercom import, with its marks): a read-only command refuses it,
// naming the upgrade, and changes nothing; the first writing command
// upgrades it, after which both exports are byte for byte what the
// previous csat exported, and check passes.
func TestUpgradeOfASchema2Store(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	copyDir(t, "../store/testdata/schema2", dir)
	before := fileSums(t, dir)
	r := csat(t, "export", "ratings", "--data-dir", dir)
	wantFailure(t, r, 2, "older csat (schema 2)", "upgrades it")
	if after := fileSums(t, dir); !maps.Equal(before, after) {
		t.Fatal("the refused read-only command changed the store's files")
	}
	r = csat(t, "import", "intercom", "--data-dir", dir, "../intercom/testdata/export_v1.jsonl")
	if r.code != 0 {
		t.Fatalf("import into the schema-2 store:\n%s", r)
	}
	if want := "0 events written, 11 already imported"; !strings.Contains(r.stdout, want) {
		t.Fatalf("re-importing what the schema-2 store holds: want %q (its marks read after the upgrade):\n%s", want, r)
	}
	for _, what := range []string{"ratings", "conversations"} {
		want, err := os.ReadFile("../store/testdata/schema2." + what + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		if got := export(t, dir, what); got != string(want) {
			t.Errorf("export %s after the upgrade differs from the previous csat's:\n%s\nwant\n%s", what, got, want)
		}
	}
	checkStore(t, dir)
}
