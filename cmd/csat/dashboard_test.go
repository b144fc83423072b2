package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDashboardInTmux builds csat, starts `csat --demo` in a detached tmux
// session of 100×30, types keys and reads the screen back. Without tmux it
// skips, unless CI is set: CI installs tmux, so there it fails.
func TestDashboardInTmux(t *testing.T) {
	tt := startInTmux(t, "--demo")
	waitFor, keys := tt.waitFor, tt.keys

	s := waitFor("the leaderboard", has("1 Leaderboard", "team", "score", "(admin)", "updated"))
	if !strings.Contains(s, "%") || !strings.Contains(s, "Bot agents") {
		t.Fatalf("the leaderboard shows no scores:\n%s", s)
	}
	// Drill into the first teammate, into one of their conversations, and back.
	keys("Enter")
	waitFor("the teammate page", has("newest first", "target", "Wilson", "open follow-ups"))
	keys("Enter")
	waitFor("a conversation from the teammate page", has("· esc back", "started by"))
	keys("Escape")
	waitFor("the teammate page again", has("newest first", "open follow-ups"))
	keys("Escape")
	waitFor("the leaderboard again", has("sort score", "Bot agents"))
	// Choose a team, compare with the period before, and show its trend.
	keys("t")
	waitFor("a team's board", has("· team ", "Δscore", "Δ vs"))
	keys("T")
	waitFor("the team trend", has("score per week", "╌╌ target", "0%└"))
	keys("T")
	waitFor("the board without the chart", func(s string) bool { return !strings.Contains(s, "score per week") })
	keys("2")
	waitFor("the follow-up queue", has("stage", "customer", "😠"))
	keys("/", "q")
	waitFor("the filter with q typed in", has("filter: q"))
	keys("Escape")
	waitFor("the filter closed", func(s string) bool { return !strings.Contains(s, "filter: q") })
	keys("5", "n", "Enter")
	waitFor("a simulator conversation", has("started by user:customer1"))
	keys("t")
	keys("-l", "Hello there")
	keys("Enter", "x")
	waitFor("the rules panel", has("close c1", "length", "✗"))
	keys("6")
	waitFor("the settings panel", has("happiness target", "audit trail"))
	keys("q")
	// The screen clears before csat has removed its demo store, in dir: the
	// test ends once it has exited, or TempDir's cleanup races the removal.
	tt.waitExit()
}

// TestReadOnlyDashboardChangesNothing: `csat --read-only` shows a store
// and leaves its directory as it was, byte for byte and file for file (no
// socket for other commands either), even when a setting is saved.
func TestReadOnlyDashboardChangesNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := csat(t, "--data-dir", data, "import", "intercom", "../../intercom/testdata/export_v2.json"); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	if code, _, errOut := csat(t, "--data-dir", data, "teammates", "add", "ada"); code != 0 {
		t.Fatalf("teammates add: %d %s", code, errOut)
	}
	before := dirState(t, data)
	tt := startInTmux(t, "--read-only", "--data-dir", data)
	tt.waitFor("the leaderboard", has("1 Leaderboard", "(read-only)", "ada (admin)", "score"))
	tt.keys("6")
	tt.waitFor("the settings", has("happiness target"))
	tt.keys("Enter", "C-s")
	tt.waitFor("the refused save", has("the store is open read-only"))
	tt.keys("q")
	tt.waitExit()
	if after := dirState(t, data); after != before {
		t.Fatalf("the data directory changed:\nbefore\n%s\nafter\n%s", before, after)
	}
	if code, _, errOut := csat(t, "--demo", "--read-only"); code != 2 || !strings.Contains(errOut, "--read-only") {
		t.Fatalf("--demo --read-only: exit %d, %q", code, errOut)
	}
}

// dirState lists a directory's files with their sizes, times and contents' hashes.
func dirState(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		content, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %s %x\n", e.Name(), fi.Size(), fi.ModTime().Format(time.RFC3339Nano), sha256.Sum256(content))
	}
	return b.String()
}

// tmuxRun is csat running in a detached tmux session of 100×30.
type tmuxRun struct {
	t    *testing.T
	sock string
	dir  string // the test's directory: csat's pid and stderr are kept there
}

// startInTmux builds csat and starts it with args in tmux, with HOME,
// the cache and TMPDIR in a directory of the test's.
func startInTmux(t *testing.T, args ...string) *tmuxRun {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed; CI must install it (.ci/run does)")
		}
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "csat")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	tt := &tmuxRun{t: t, sock: "csat-e2e-" + strconv.Itoa(os.Getpid()) + "-" + strings.ReplaceAll(t.Name(), "/", "-"), dir: dir}
	// Once csat has exited, the shell writes its exit status to a file,
	// which the test waits for. (It waited with tmux wait-for, and a wait
	// that reached the server as it shut down, the session gone with csat,
	// was never woken: "csat did not exit after q" a minute after it had.)
	// csat's pid and stderr go to files: a csat that does not exit is sent
	// SIGQUIT, and its goroutines are in the test's failure.
	run := "echo $$ >" + filepath.Join(dir, "pid") + "; exec " + bin + " " + strings.Join(args, " ") + " 2>" + filepath.Join(dir, "stderr")
	exited := filepath.Join(dir, "exited")
	cmdline := "env HOME=" + dir + " XDG_CACHE_HOME=" + dir + " TMPDIR=" + dir + " GOTRACEBACK=all sh -c '" + run + "'; echo $? >" + exited + ".part; mv " + exited + ".part " + exited
	if out, err := exec.Command("tmux", "-L", tt.sock, "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", cmdline).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { tt.tmux("kill-server") })
	return tt
}

func (tt *tmuxRun) tmux(args ...string) string {
	out, _ := exec.Command("tmux", append([]string{"-L", tt.sock}, args...)...).CombinedOutput()
	return string(out)
}

func (tt *tmuxRun) screen() string { return tt.tmux("capture-pane", "-p", "-t", "e2e") }

// keys sends keys. An escape read together with the next key is alt+key:
// each escape is followed by a wait for the screen it leads to (a pause
// after every send was too short on a busy machine).
func (tt *tmuxRun) keys(k ...string) { tt.tmux(append([]string{"send-keys", "-t", "e2e"}, k...)...) }

func (tt *tmuxRun) waitFor(what string, ok func(string) bool) string {
	tt.t.Helper()
	deadline := time.Now().Add(time.Minute) // a bound for a starved machine; the screen usually shows it at once
	for {
		s := tt.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("waiting for %s; the screen shows:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitExit waits until csat has exited after q, with status 0.
func (tt *tmuxRun) waitExit() {
	tt.t.Helper()
	status, ok := tt.exitStatus(time.Minute) // a bound for a starved machine
	if !ok {
		tt.t.Fatalf("csat did not exit after q; the screen shows:\n%s\n%s", tt.screen(), tt.dumpGoroutines())
	}
	if status != "0" {
		raw, _ := os.ReadFile(filepath.Join(tt.dir, "stderr"))
		tt.t.Fatalf("csat exited with status %s: %s", status, raw)
	}
}

// exitStatus is csat's exit status once it has exited, waiting at most
// bound for it.
func (tt *tmuxRun) exitStatus(bound time.Duration) (string, bool) {
	deadline := time.Now().Add(bound)
	for {
		if raw, err := os.ReadFile(filepath.Join(tt.dir, "exited")); err == nil {
			return strings.TrimSpace(string(raw)), true
		}
		if time.Now().After(deadline) {
			return "", false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dumpGoroutines sends csat SIGQUIT and returns what it printed then.
func (tt *tmuxRun) dumpGoroutines() string {
	raw, err := os.ReadFile(filepath.Join(tt.dir, "pid"))
	if err != nil {
		return "no pid: " + err.Error()
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return "no pid: " + err.Error()
	}
	if err := syscall.Kill(pid, syscall.SIGQUIT); err != nil {
		return "SIGQUIT: " + err.Error()
	}
	tt.exitStatus(30 * time.Second)
	dump, _ := os.ReadFile(filepath.Join(tt.dir, "stderr"))
	return string(dump)
}

// has is true of a screen showing every part.
func has(parts ...string) func(string) bool {
	return func(s string) bool {
		for _, p := range parts {
			if !strings.Contains(s, p) {
				return false
			}
		}
		return true
	}
}
