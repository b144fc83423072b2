//go:build unix

package reliability

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// longExport writes an Intercom export of n conversations whose messages
// are about 3.5 KB each: an import batch of them is too big for one
// Badger transaction and is committed in parts.
func longExport(t *testing.T, n int) string {
	t.Helper()
	src, err := os.ReadFile("../intercom/testdata/export_v1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var template map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(string(src), "\n", 2)[0]), &template); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for i := range n {
		c := cloneJSON(t, template)
		c["id"] = fmt.Sprintf("long-%d", i)
		body := fmt.Sprintf("<p>%s</p>", strings.Repeat(fmt.Sprintf("conversation %d says ", i), 3500/20))
		c["source"].(map[string]any)["id"] = fmt.Sprintf("src-%d", i)
		c["source"].(map[string]any)["body"] = body
		parts := c["conversation_parts"].(map[string]any)["conversation_parts"].([]any)
		for j, p := range parts {
			p := p.(map[string]any)
			p["id"] = fmt.Sprintf("part-%d-%d", i, j)
			if _, ok := p["body"].(string); ok {
				p["body"] = body
			}
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(append(b, '\n'))
	}
	return writeFile(t, filepath.Join(t.TempDir(), "long.jsonl"), out.String())
}

func export(t *testing.T, dir, what string) string {
	t.Helper()
	r := csat(t, "export", what, "--data-dir", dir)
	if r.code != 0 {
		t.Fatalf("export %s:\n%s", what, r)
	}
	return r.stdout
}

// TestFaultKillBetweenPartsOfABatch kills an import right after the first
// part of a split batch is committed (the fault-injection build's hook, no
// timing involved), imports again, and requires both exports to be byte
// for byte those of an uninterrupted import. Before the batch journal the
// first part carried the batch's mark: the re-import skipped the rest as
// already imported, and check passed.
func TestFaultKillBetweenPartsOfABatch(t *testing.T) {
	file := longExport(t, 400)
	whole := filepath.Join(t.TempDir(), "whole")
	if r := csat(t, "import", "intercom", "--data-dir", whole, file); r.code != 0 {
		t.Fatalf("uninterrupted import:\n%s", r)
	}

	dir := filepath.Join(t.TempDir(), "killed")
	cmd := exec.Command(faultPath, "import", "intercom", "--data-dir", dir, file)
	cmd.Env = append(cleanEnv(), "CSAT_FAULT=kill-after-part")
	out, _ := cmd.CombinedOutput()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the import was not killed between parts (no batch was split?): %v\n%s", cmd.ProcessState, out)
	}
	// A reader of the half-done batch sees a consistent prefix of the log.
	checkStore(t, dir)

	r := csat(t, "import", "intercom", "--data-dir", dir, file)
	if r.code != 0 {
		t.Fatalf("re-import:\n%s", r)
	}
	checkStore(t, dir)
	for _, what := range []string{"ratings", "conversations"} {
		if got, want := export(t, dir, what), export(t, whole, what); got != want {
			t.Errorf("export %s after kill and re-import differs from the uninterrupted import (%d vs %d bytes)", what, len(got), len(want))
		}
	}
}
