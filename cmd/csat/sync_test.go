package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/intercom/intercomtest"
	"github.com/csat-app/csat/owner"
	"github.com/csat-app/csat/store"
)

// csat runs the command line in this process, as a user would.
func csat(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSyncIntercomCommand(t *testing.T) {
	api := intercomtest.New(t, 160)
	dir := t.TempDir()
	t.Setenv("CSAT_DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv(apiURLEnv, api.URL)
	token := writeFile(t, filepath.Join(dir, "token"), api.Token+"\n")

	code, out, errOut := csat(t, "sync", "intercom", "--token-file", token)
	if code != 0 || !strings.HasPrefix(out, "synced 160 conversations updated since the beginning (2 pages; 3 admins, 2 teams): ") {
		t.Fatalf("sync: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = csat(t, "report", "--period", "all", "--format", "csv")
	if code != 0 || !strings.Contains(out, "team,team,") || !strings.Contains(out, ",54,") {
		t.Fatalf("report after sync: %d\n%s", code, out)
	}
	// The next run starts where this one ended: nothing new.
	code, out, _ = csat(t, "sync", "intercom", "--token-file", token)
	if code != 0 || !strings.HasPrefix(out, "synced 0 conversations updated since 20") || !strings.Contains(out, ": 0 events written") {
		t.Fatalf("second sync: %d\n%s", code, out)
	}
}

func TestSyncIntercomRefusals(t *testing.T) {
	api := intercomtest.New(t, 5)
	dir := t.TempDir()
	t.Setenv("CSAT_DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv(apiURLEnv, api.URL)
	wrong := writeFile(t, filepath.Join(dir, "wrong"), "wrong-token-123\n")
	good := writeFile(t, filepath.Join(dir, "good"), api.Token)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--token-file", wrong}, "Intercom refused the access token"},
		{[]string{}, "--token-file FILE is required"},
		{[]string{"--token-file", filepath.Join(dir, "missing")}, "--token-file: open "},
		{[]string{"--token-file", good, "--region", "mars"}, `--region "mars": want us, eu or au`},
		{[]string{"--token-file", good, "--since", "March"}, `--since "March": want a day`},
	} {
		code, out, errOut := csat(t, append([]string{"sync", "intercom"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) || strings.Contains(errOut+out, "wrong-token-123") {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, errOut, c.want)
		}
	}
	code, out, _ := csat(t, "check")
	if code != 0 || !strings.HasPrefix(out, "ok: 0 events replayed") {
		t.Fatalf("after the refusals: %d %s", code, out)
	}
	t.Setenv(apiURLEnv, "https://intercom.example.com")
	if code, _, errOut := csat(t, "sync", "intercom", "--token-file", good); code != 2 || !strings.Contains(errOut, "the access token goes only to") {
		t.Fatalf("foreign API host: %d %s", code, errOut)
	}
}

// TestDashboardOwnerAnswersOtherCommands: while a process holds the store
// (as the dashboard does), import, report, whatif, simulate run and check
// from other processes run in it; a command that cannot run there is
// refused by name.
func TestDashboardOwnerAnswersOtherCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	t.Setenv("CSAT_DATA_DIR", data)
	st, err := store.Open(store.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stop := startOwner(data, st, nil, log.New(io.Discard, "", 0))
	defer stop()

	// A script first: scripts keep one timeline, which history would pass.
	if code, out, errOut := csat(t, "simulate", "run", "../../simulate/testdata/examples/first-close.csat"); code != 0 || !strings.Contains(out, "ok: ") {
		t.Fatalf("simulate run through the owner: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := csat(t, "import", "intercom", "../../intercom/testdata/export_v2.json")
	if code != 0 || !strings.HasPrefix(out, "imported 3 records: ") {
		t.Fatalf("import through the owner: %d\n%s%s", code, out, errOut)
	}
	if st.Seq() == 0 {
		t.Fatal("the owner's store got nothing")
	}
	for _, args := range [][]string{
		{"report", "--period", "all"},
		{"simulate", "whatif", "--against", "observed"},
		{"check"},
	} {
		if code, out, errOut := csat(t, args...); code != 0 || out == "" {
			t.Errorf("%v through the owner: %d\n%s%s", args, code, out, errOut)
		}
	}
	var out2, errOut2 bytes.Buffer
	code, err = owner.Forward(context.Background(), data, owner.Request{Args: []string{"serve", "--users", "x"}}, &out2, &errOut2)
	if err != nil || code != 2 || !strings.Contains(errOut2.String(), "csat serve cannot run through the csat process that owns") {
		t.Fatalf("serve through the owner: %d %v %q", code, err, errOut2.String())
	}
}

func TestSyncProgressBarShowsCountsAndTimeLeft(t *testing.T) {
	var b bytes.Buffer
	show := syncProgressBar(&b, time.Now().Add(-10*time.Second))
	show(intercom.SyncProgress{Done: 150, Total: 600, Pages: 1})
	if got := b.String(); !strings.Contains(got, " 150/600 conversations, page 1 · about 30s left") || strings.HasSuffix(got, "\n") {
		t.Fatalf("first page: %q", got)
	}
	b.Reset()
	show(intercom.SyncProgress{Done: 600, Total: 600, Pages: 4})
	if got := b.String(); !strings.Contains(got, " 600/600 conversations, page 4") || strings.Contains(got, "left") || !strings.HasSuffix(got, "\n") {
		t.Fatalf("last page: %q", got)
	}
}
