package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/intercom/intercomtest"
	"github.com/csat-app/csat/owner"
)

// csatBinary runs the csat binary (this test binary, as testscript sets
// it up on $PATH) with env.
func csatBinary(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command("csat", args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

// notification is a signed-ready webhook body carrying conversation c.
func notification(t *testing.T, id string, c map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"type": "notification_event", "app_id": "abc123", "id": id,
		"topic": "conversation.admin.closed", "created_at": c["updated_at"], "delivery_attempts": 1,
		"data": map[string]any{"type": "notification_event_data", "item": c}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBackfillWhileServing: while csat serve owns the store and webhooks
// arrive, a year's worth of history is imported and synced through it;
// nothing is refused, lost or counted twice, and the store checks clean
// after the server stops.
func TestBackfillWhileServing(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	api := intercomtest.New(t, 260)
	env := append(os.Environ(), "CSAT_DATA_DIR="+data, apiURLEnv+"="+api.URL, "NO_COLOR=1")
	users := writeFile(t, filepath.Join(dir, "users"), "ann admin ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGYMGQ9c2oZnWl6Nc3kHf4h/TrqM1x1kWOcJN/dTEm+C ann@laptop\n")
	secret := writeFile(t, filepath.Join(dir, "secret"), "s3cret\n")
	token := writeFile(t, filepath.Join(dir, "token"), api.Token+"\n")
	var history bytes.Buffer
	for i := range 200 {
		line, _ := json.Marshal(intercomtest.Conversation(i))
		history.Write(append(line, '\n'))
	}
	historyFile := writeFile(t, filepath.Join(dir, "history.jsonl"), history.String())

	srv := exec.Command("csat", "serve", "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0", "--users", users, "--webhook-secret-file", secret)
	srv.Env = env
	var srvErr bytes.Buffer
	srv.Stderr = &srvErr
	pipe, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	ready, err := bufio.NewReader(pipe).ReadString('\n')
	if err != nil {
		srv.Process.Kill()
		t.Fatalf("csat serve did not start: %v\n%s", err, srvErr.String())
	}
	hook := regexp.MustCompile(`http://\S+/webhooks/intercom`).FindString(ready)

	var wg sync.WaitGroup
	var hookErrs []string
	redelivered := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 40 {
			body := notification(t, fmt.Sprintf("notif_%d", i), intercomtest.Conversation(1000+i))
			// A webhook queued behind an import batch answers 503 once its
			// 4 s are up (on a loaded machine under -race it can be), and
			// Intercom delivers it again: then it is stored, or was already.
			for attempt := 1; ; attempt++ {
				code, a, err := deliver(hook, body)
				if err == nil && code == http.StatusServiceUnavailable && attempt < 5 {
					redelivered++
					continue
				}
				if err != nil || code != http.StatusOK || (a.Status != "ok" && (attempt == 1 || a.Status != "duplicate")) {
					hookErrs = append(hookErrs, fmt.Sprintf("notification %d, delivery %d: %d %+v %v", i, attempt, code, a, err))
				}
				break
			}
		}
	}()
	code, out, errOut := csatBinary(t, env, "import", "intercom", historyFile)
	if code != 0 || !strings.HasPrefix(out, "imported 200 records: ") {
		t.Errorf("import while serving: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = csatBinary(t, env, "sync", "intercom", "--token-file", token)
	if code != 0 || !strings.HasPrefix(out, "synced 260 conversations") {
		t.Errorf("sync while serving: %d\n%s\n%s", code, out, errOut)
	}
	wg.Wait()
	if redelivered > 0 {
		t.Logf("%d notifications timed out (503) and were delivered again", redelivered)
	}
	if len(hookErrs) > 0 {
		t.Errorf("webhooks during the backfill:\n%s", strings.Join(hookErrs, "\n"))
	}
	countConversations := func(when string) {
		t.Helper()
		code, out, errOut := csatBinary(t, env, "export", "conversations", "--format", "jsonl")
		if n := strings.Count(out, "\n"); code != 0 || n != 300 {
			t.Errorf("%s: export: %d, %d conversations, want 300 (200 imported, 60 more synced, 40 from webhooks)\n%s", when, code, n, errOut)
		}
		if code, out, errOut := csatBinary(t, env, "check"); code != 0 || !strings.HasPrefix(out, "ok: ") {
			t.Errorf("%s: check: %d\n%s%s", when, code, out, errOut)
		}
	}
	countConversations("while serving")

	if err := srv.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatalf("csat serve: %v\n%s", err, srvErr.String())
	}
	if _, err := os.Stat(filepath.Join(data, owner.SocketFile)); !os.IsNotExist(err) {
		t.Errorf("the socket outlived the server: %v", err)
	}
	countConversations("after the server stopped")
	if strings.Contains(srvErr.String(), api.Token) {
		t.Error("the server's log holds the Intercom token")
	}
	err = filepath.WalkDir(data, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(api.Token)) {
			t.Errorf("%s holds the Intercom token", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// deliver posts a signed notification to the webhook at url.
func deliver(url string, body []byte) (code int, a intercom.Answer, err error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, a, err
	}
	req.Header.Set("X-Hub-Signature", intercom.Sign([]byte("s3cret"), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, a, err
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(&a)
	return resp.StatusCode, a, nil
}

// TestServeSyncEvery: csat serve --sync-every syncs at start (and then at
// the interval) beside the webhooks, logging a summary and never the token.
func TestServeSyncEvery(t *testing.T) {
	dir := t.TempDir()
	api := intercomtest.New(t, 50)
	env := append(os.Environ(), "CSAT_DATA_DIR="+filepath.Join(dir, "data"), apiURLEnv+"="+api.URL, "NO_COLOR=1")
	users := writeFile(t, filepath.Join(dir, "users"), "ann admin ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGYMGQ9c2oZnWl6Nc3kHf4h/TrqM1x1kWOcJN/dTEm+C ann@laptop\n")
	secret := writeFile(t, filepath.Join(dir, "secret"), "s3cret\n")
	token := writeFile(t, filepath.Join(dir, "token"), api.Token+"\n")
	srv := exec.Command("csat", "serve", "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0", "--users", users, "--webhook-secret-file", secret,
		"--sync-every", "10m", "--intercom-token-file", token)
	srv.Env = env
	pipe, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	lines := bufio.NewScanner(pipe)
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "sync: ") {
			break
		}
	}
	if !strings.Contains(log.String(), "sync: 50 conversations (1 pages): ") {
		srv.Process.Kill()
		t.Fatalf("csat serve's first sync:\n%s", log.String())
	}
	code, out, errOut := csatBinary(t, env, "export", "conversations", "--format", "jsonl")
	if n := strings.Count(out, "\n"); code != 0 || n != 50 {
		t.Errorf("after the first sync: %d, %d conversations, want 50\n%s", code, n, errOut)
	}
	srv.Process.Signal(os.Interrupt)
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
	}
	if err := srv.Wait(); err != nil {
		t.Fatalf("csat serve: %v\n%s", err, log.String())
	}
	if strings.Contains(log.String(), api.Token) {
		t.Error("the server's log holds the Intercom token")
	}
}

// TestSyncThroughServeInterrupted: Ctrl-C on a sync that runs inside csat
// serve stops it there and keeps the pages read; the next sync continues
// the run and ends with every conversation.
func TestSyncThroughServeInterrupted(t *testing.T) {
	dir := t.TempDir()
	api := intercomtest.New(t, 400)
	reached, release := make(chan struct{}), make(chan struct{})
	api.BeforeGet = func(n int, id string) int {
		if n == 170 { // on the second page
			close(reached)
			<-release
		}
		return 0
	}
	env := append(os.Environ(), "CSAT_DATA_DIR="+filepath.Join(dir, "data"), apiURLEnv+"="+api.URL, "NO_COLOR=1")
	users := writeFile(t, filepath.Join(dir, "users"), "ann admin ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGYMGQ9c2oZnWl6Nc3kHf4h/TrqM1x1kWOcJN/dTEm+C ann@laptop\n")
	secret := writeFile(t, filepath.Join(dir, "secret"), "s3cret\n")
	token := writeFile(t, filepath.Join(dir, "token"), api.Token+"\n")
	srv := exec.Command("csat", "serve", "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0", "--users", users, "--webhook-secret-file", secret)
	srv.Env = env
	pipe, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
	}()
	if _, err := bufio.NewReader(pipe).ReadString('\n'); err != nil {
		t.Fatalf("csat serve did not start: %v", err)
	}

	client := exec.Command("csat", "sync", "intercom", "--token-file", token)
	client.Env = env
	var out, errOut bytes.Buffer
	client.Stdout, client.Stderr = &out, &errOut
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	<-reached
	client.Process.Signal(os.Interrupt)
	err = client.Wait()
	close(release)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(errOut.String(), "interrupted; the csat process owning") {
		t.Fatalf("interrupted sync: %v\n%s%s", err, out.String(), errOut.String())
	}
	code, stdout, stderr := csatBinary(t, env, "sync", "intercom", "--token-file", token)
	if code != 0 || !strings.HasPrefix(stdout, "synced 250 conversations updated since the beginning (2 pages, continuing the interrupted run;") {
		t.Fatalf("the next sync: %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = csatBinary(t, env, "export", "conversations", "--format", "jsonl")
	if n := strings.Count(stdout, "\n"); code != 0 || n != 400 {
		t.Fatalf("%d conversations after the resumed sync, want 400", n)
	}
}
