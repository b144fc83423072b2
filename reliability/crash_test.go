//go:build unix

package reliability

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/store"
)

// crashRounds is how many SIGKILLs each crash test deals: 3 in plain go
// test, CSAT_CRASH_ROUNDS for the long form.
func crashRounds(t *testing.T) int {
	s := os.Getenv("CSAT_CRASH_ROUNDS")
	if s == "" {
		return 3
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		t.Fatalf("CSAT_CRASH_ROUNDS=%q: want a whole number from 1 to 1000", s)
	}
	return n
}

// crashRand is seeded from CSAT_CRASH_SEED when given, so a failing run can
// be repeated; the seed is always logged.
func crashRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CSAT_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CSAT_CRASH_SEED=%q: want a whole number", s)
		}
		seed = v
	}
	t.Logf("CSAT_CRASH_SEED=%d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// killHard SIGKILLs the process and reaps it, so its pid is gone before the
// next command looks at the data directory. It reports whether the kill is
// what ended it (false: it had already exited, with that status).
func killHard(t *testing.T, cmd *exec.Cmd) (killed bool, exit int) {
	t.Helper()
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return true, -1
	}
	return false, cmd.ProcessState.ExitCode()
}

// TestCrashDuringLoad kills `csat simulate load` at random moments, first
// while it writes a history, then while it adds live traffic to the same
// store; after every kill the store must pass `csat check` and hold at
// least every event it held before (batches are lost only whole, and only
// the one in flight).
func TestCrashDuringLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the csat binary")
	}
	bin := csatBinary(t)
	rng := crashRand(t)
	dir := filepath.Join(t.TempDir(), "data")
	var held uint64
	for round := range crashRounds(t) {
		args := []string{"simulate", "load", "--data-dir", dir, "--teammates", "6", "--seed", strconv.Itoa(round + 1)}
		if held == 0 {
			args = append(args, "--conversations", "4000", "--days", "60", "--end", "2026-04-01", "--batch", "64")
		} else {
			args = append(args, "--conversations", "0", "--live", "2000", "--batch", "16")
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv()
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wait := time.Duration(150+rng.IntN(1200)) * time.Millisecond
		time.Sleep(wait)
		killed, code := killHard(t, cmd)
		if !killed && code != 0 {
			t.Fatalf("round %d: csat %v exited %d before the kill:\n%s", round, args, code, errb.String())
		}
		if !killed {
			t.Logf("round %d: the load finished before the kill", round)
		}
		assertNoPanic(t, args, result{stderr: errb.String()})

		if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil && held == 0 {
			t.Logf("round %d: killed after %v, before the store was created", round, wait)
			continue
		}
		now := checkStore(t, dir)
		if now < held {
			t.Fatalf("round %d: the log went from %d to %d events: committed events were lost", round, held, now)
		}
		t.Logf("round %d: killed after %v; check ok, %d events (+%d)", round, wait, now, now-held)
		held = now
	}
	if held == 0 {
		t.Fatal("no round wrote anything: the kills came too early to test anything")
	}
}

var webhookURL = regexp.MustCompile(`webhook: (http://\S+/webhooks/intercom)`)

const (
	testSecret = "crash-test-secret"
	testUsers  = "ann admin ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGYMGQ9c2oZnWl6Nc3kHf4h/TrqM1x1kWOcJN/dTEm+C ann@laptop\n"
)

// server is a running `csat serve` on loopback.
type server struct {
	cmd     *exec.Cmd
	webhook string
	stderr  *bytes.Buffer
}

// startServe starts csat serve on dir with kernel-chosen loopback ports and
// waits for it to say where its webhook listens.
func startServe(t *testing.T, dir, users, secretFile string) *server {
	t.Helper()
	return startServeEnv(t, nil, dir, users, secretFile)
}

// startServeEnv is startServe with more environment variables (NAME=value).
func startServeEnv(t *testing.T, env []string, dir, users, secretFile string) *server {
	t.Helper()
	cmd := exec.Command(csatBinary(t), "serve", "--data-dir", dir, "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0",
		"--users", users, "--webhook-secret-file", secretFile)
	cmd.Env = append(cleanEnv(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := webhookURL.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			_ = cmd.Wait()
			t.Fatalf("csat serve stopped before it was ready:\n%s", s.stderr)
		}
		s.webhook = u
	case <-time.After(30 * time.Second):
		killHard(t, cmd)
		t.Fatalf("csat serve not ready after 30s:\n%s", s.stderr)
	}
	return s
}

// notification returns a signed-ready conversation.rating.added body for a
// conversation of its own, from the committed Intercom fixture.
func notification(t *testing.T, template map[string]any, id string) []byte {
	t.Helper()
	n := cloneJSON(t, template)
	n["id"] = "notif-" + id
	item := n["data"].(map[string]any)["item"].(map[string]any)
	item["id"] = "conv-" + id
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cloneJSON(t *testing.T, v map[string]any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func ratingTemplate(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../intercom/testdata/notification_rating.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// post sends one signed notification and reports whether it was
// acknowledged as stored (200 with status ok).
func post(client *http.Client, url string, body []byte) (bool, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature", intercom.Sign([]byte(testSecret), body))
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var a intercom.Answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return false, fmt.Errorf("status %d, unreadable answer: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || a.Status != "ok" {
		return false, fmt.Errorf("status %d: %+v", resp.StatusCode, a)
	}
	return true, nil
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCrashDuringWebhooks kills `csat serve` with SIGKILL while concurrent
// senders post signed notifications; after every kill `csat check` passes
// and every notification that got a 200 "ok", in this round or any before,
// is in the store.
func TestCrashDuringWebhooks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the csat binary")
	}
	rng := crashRand(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "data")
	users := writeFile(t, filepath.Join(tmp, "users"), testUsers)
	secret := writeFile(t, filepath.Join(tmp, "secret"), testSecret+"\n")
	template := ratingTemplate(t)
	var acked []string
	var held uint64
	for round := range crashRounds(t) {
		srv := startServe(t, dir, users, secret)
		const senders = 4
		var (
			mu      sync.Mutex
			roundOK []string
			stop    = make(chan struct{})
			wg      sync.WaitGroup
		)
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
		for g := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100000; i++ {
					select {
					case <-stop:
						return
					default:
					}
					id := fmt.Sprintf("r%d-g%d-%d", round, g, i)
					ok, err := post(client, srv.webhook, notification(t, template, id))
					if err != nil {
						return // the kill, most likely: an unanswered request is not acknowledged
					}
					if ok {
						mu.Lock()
						roundOK = append(roundOK, id)
						mu.Unlock()
					}
				}
			}()
		}
		wait := time.Duration(200+rng.IntN(1300)) * time.Millisecond
		time.Sleep(wait)
		killHard(t, srv.cmd)
		close(stop)
		wg.Wait()
		client.CloseIdleConnections()
		assertNoPanic(t, []string{"serve"}, result{stderr: srv.stderr.String()})

		acked = append(acked, roundOK...)
		now := checkStore(t, dir)
		if now < held {
			t.Fatalf("round %d: the log went from %d to %d events", round, held, now)
		}
		held = now
		missing := notStored(t, dir, acked)
		if len(missing) > 0 {
			t.Fatalf("round %d: %d of %d acknowledged notifications are not in the store, e.g. %v", round, len(missing), len(acked), missing[:min(5, len(missing))])
		}
		t.Logf("round %d: killed after %v; %d acknowledged this round, all %d so far stored; %d events", round, wait, len(roundOK), len(acked), now)
	}
	if len(acked) == 0 {
		t.Fatal("no notification was acknowledged in any round: nothing was tested")
	}
}

// notStored opens the store read-only in this process and returns the ids
// whose notification the Intercom bookkeeping does not know, or whose
// conversation is absent.
func notStored(t *testing.T, dir string, ids []string) []string {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatalf("reopening the store read-only: %v", err)
	}
	defer st.Close()
	in, err := intercom.NewIngester(st)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, id := range ids {
		_, conv := st.Conversation("conv-" + id)
		seen, err := in.Seen("notif/notif-" + id)
		if err != nil {
			t.Fatal(err)
		}
		if !seen || !conv {
			missing = append(missing, id)
		}
	}
	return missing
}
