//go:build unix

package reliability

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillDuringForget kills `csat forget` with SIGKILL at each step of its
// rebuild (CSAT_TEST_FORGET_KILL makes the process kill itself exactly
// there): during the replay, once the new store is built, and once it is
// swapped in. Each time the store must be whole and pass `csat check` with
// the same report, and be either before the erasure (the text still in
// the data directory) or after it (the text in no file of it), with the
// exchange as the dividing line; the next `csat forget` then finishes and
// nothing of the text is left anywhere.
func TestKillDuringForget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the csat binary")
	}
	texts := []string{"Took hours.", "Is the API down?", "Checking."}
	for _, tc := range []struct {
		step  string
		after bool
	}{{"replay", false}, {"built", false}, {"swapped", true}} {
		t.Run(tc.step, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if r := csat(t, "import", "intercom", "--data-dir", dir, "../intercom/testdata/export_v2.json"); r.code != 0 {
				t.Fatalf("import:\n%s", r)
			}
			for _, s := range texts {
				if len(filesHolding(t, dir, s)) == 0 {
					t.Fatalf("no file holds %q before the erasure: the search cannot see it", s)
				}
			}
			report := func() string {
				r := csat(t, "report", "--data-dir", dir, "--from", "2026-03-01", "--to", "2026-03-31")
				if r.code != 0 {
					t.Fatalf("report:\n%s", r)
				}
				return r.stdout
			}
			before := report()

			r := csatEnv(t, []string{"CSAT_TEST_FORGET_KILL=" + tc.step}, "forget", "conversation", "1296", "--data-dir", dir)
			if r.code != -1 {
				t.Fatalf("forget was to be killed at %s:\n%s", tc.step, r)
			}
			checkStore(t, dir)
			if got := report(); got != before {
				t.Fatalf("the report changed after the kill:\n%s\nwas\n%s", got, before)
			}
			exported := csat(t, "export", "ratings", "--data-dir", dir).stdout
			erased := !strings.Contains(exported, "Took hours.")
			if erased != tc.after {
				t.Fatalf("killed at %s: erased %v, want %v\n%s", tc.step, erased, tc.after, exported)
			}
			for _, s := range texts {
				if f := filesHolding(t, dir, s); erased && len(f) > 0 {
					t.Fatalf("the store is after the erasure, but %q is still in %v", s, f)
				}
			}

			if r := csat(t, "forget", "conversation", "1296", "--data-dir", dir); r.code != 0 {
				t.Fatalf("forget after the kill:\n%s", r)
			}
			if _, err := os.Stat(dir + ".forgetting"); !os.IsNotExist(err) {
				t.Fatalf("the rebuild's directory is left: %v", err)
			}
			for _, s := range texts {
				if f := filesHolding(t, filepath.Dir(dir), s); len(f) > 0 {
					t.Fatalf("%q is still in %v", s, f)
				}
			}
			checkStore(t, dir)
			if got := report(); got != before {
				t.Fatalf("the report changed after the erasure:\n%s\nwas\n%s", got, before)
			}
		})
	}
}

// filesHolding lists the files under dir whose raw bytes contain text.
func filesHolding(t *testing.T, dir, text string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(text)) {
			found = append(found, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestKillAfterDeletionAcknowledged: csat serve answers a
// conversation.deleted notification 200 once the request is in the log,
// then erases in the background; killed there (mid-replay), it has lost
// nothing: the next start carries the erasure out, and a clean stop waits
// for it, after which the text is in no file.
func TestKillAfterDeletionAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the csat binary")
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "data")
	users := writeFile(t, filepath.Join(tmp, "users"), testUsers)
	secret := writeFile(t, filepath.Join(tmp, "secret"), testSecret+"\n")
	rating, err := os.ReadFile("../intercom/testdata/notification_rating.json")
	if err != nil {
		t.Fatal(err)
	}
	deletion, err := os.ReadFile("../intercom/testdata/notification_conversation_deleted.json")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 30 * time.Second}

	srv := startServeEnv(t, []string{"CSAT_TEST_FORGET_KILL=replay"}, dir, users, secret)
	for _, body := range [][]byte{rating, deletion} {
		if ok, err := post(client, srv.webhook, body); !ok {
			killHard(t, srv.cmd)
			t.Fatalf("notification not acknowledged: %v\n%s", err, srv.stderr)
		}
	}
	_ = srv.cmd.Wait() // it kills itself during the background erasure
	if ws, ok := srv.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("csat serve was to kill itself in the erasure: %v\n%s", srv.cmd.ProcessState, srv.stderr)
	}
	checkStore(t, dir)
	// The remark's start: a table's Snappy blocks may split the whole of it
	// at a block boundary, and a search for it would then prove nothing.
	const remark = "Quick and clear"
	if len(filesHolding(t, dir, remark)) == 0 {
		t.Fatal("the remark is not on disk before the erasure: the search cannot see it")
	}

	srv = startServe(t, dir, users, secret)
	if err := srv.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("csat serve after Ctrl-C: %v\n%s", err, srv.stderr)
	}
	if !strings.Contains(srv.stderr.String(), "erased what Intercom deleted: 1 requests") {
		t.Fatalf("no erasure logged:\n%s", srv.stderr)
	}
	if f := filesHolding(t, filepath.Dir(dir), remark); len(f) > 0 {
		t.Fatalf("the remark is still in %v", f)
	}
	checkStore(t, dir)
}
