package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDashboardInTmux builds csat, starts `csat --demo` in a detached tmux
// session of 100×30, types keys and reads the screen back. Without tmux it
// skips, unless CI is set: CI installs tmux, so there it fails.
func TestDashboardInTmux(t *testing.T) {
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
	sock := "csat-e2e-" + strconv.Itoa(os.Getpid())
	tmux := func(args ...string) string {
		out, _ := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		return string(out)
	}
	// The shell signals the test once csat has exited (tmux keeps the signal).
	cmdline := "env HOME=" + dir + " XDG_CACHE_HOME=" + dir + " TMPDIR=" + dir + " " + bin + " --demo; tmux -L " + sock + " wait-for -S csat-exited"
	if out, err := exec.Command("tmux", "-L", sock, "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", cmdline).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { tmux("kill-server") })
	screen := func() string { return tmux("capture-pane", "-p", "-t", "e2e") }
	waitFor := func(what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(time.Minute) // a bound for a starved machine; the screen usually shows it at once
		for {
			s := screen()
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s; the screen shows:\n%s", what, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	has := func(parts ...string) func(string) bool {
		return func(s string) bool {
			for _, p := range parts {
				if !strings.Contains(s, p) {
					return false
				}
			}
			return true
		}
	}
	// An escape read together with the next key is alt+key: each escape is
	// followed by a wait for the screen it leads to (a pause after every
	// send was too short on a busy machine).
	keys := func(k ...string) {
		tmux(append([]string{"send-keys", "-t", "e2e"}, k...)...)
	}

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
	waitFor("the dashboard to quit", func(s string) bool { return !strings.Contains(s, "Leaderboard") })
	// The screen clears before csat has removed its demo store, in dir: the
	// test ends once it has exited, or TempDir's cleanup races the removal.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The session's command signals after csat exits, and the server ends
	// with that command: a server already gone has seen csat exit too.
	if out, err := exec.CommandContext(ctx, "tmux", "-L", sock, "wait-for", "csat-exited").CombinedOutput(); err != nil && !strings.Contains(string(out), "no server running") {
		t.Fatalf("csat --demo did not exit after q: %v %s", err, out)
	}
}
