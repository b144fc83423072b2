//go:build !windows

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWhatIfInterrupted: Ctrl-C during a what-if stops its replay, says
// so and exits 1, as an interrupted load or sync does; it had no signal
// handler and died of the signal, and a what-if forwarded to the csat
// process owning the store replayed on there after its caller had gone.
// The what-if's stderr is a terminal, so that it says it is reading: the
// interrupt is sent once it does, whatever the machine's load.
func TestWhatIfInterrupted(t *testing.T) {
	env := append(os.Environ(), "CSAT_DATA_DIR="+filepath.Join(t.TempDir(), "data"), "NO_COLOR=1")
	if code, out, errOut := csatBinary(t, env, "simulate", "load", "--teammates", "20", "--conversations", "6000", "--days", "60",
		"--end", "2026-03-01T12:00:00Z"); code != 0 {
		t.Fatalf("history: %d\n%s%s", code, out, errOut)
	}
	whatIf := exec.Command("csat", "simulate", "whatif", "--set", "users.csat=off", "--since", "all")
	whatIf.Env = env
	var stdout bytes.Buffer
	whatIf.Stdout = &stdout
	stderr, err := signalOnTerminal(whatIf, os.Interrupt, regexp.MustCompile(`whatif: \d+ decisions read`).Match)
	if errors.Is(err, errEndedFirst) {
		t.Fatalf("the what-if ended before it said it was reading\n%s%s", stdout.String(), stderr)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("interrupted what-if: %v, want exit status 1\n%s%s", err, stdout.String(), stderr)
	}
	if !bytes.Contains(stderr, []byte("csat: whatif: interrupted; nothing was written")) {
		t.Errorf("stderr:\n%q", stderr)
	}
	if stdout.Len() > 0 {
		t.Errorf("an interrupted what-if printed a report:\n%s", stdout.String())
	}
}

// A what-if whose context has ended (its caller interrupted it, through
// the process owning the store too) stops with the same error.
func TestWhatIfStopsWithItsContext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := append(os.Environ(), "CSAT_DATA_DIR="+dir, "NO_COLOR=1")
	if code, out, errOut := csatBinary(t, env, "simulate", "load", "--teammates", "4", "--conversations", "50", "--days", "5",
		"--end", "2026-03-01T12:00:00Z"); code != 0 {
		t.Fatalf("history: %d\n%s%s", code, out, errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, against := range [][]string{{"--since", "all"}, {"--against", "observed"}} {
		var stdout, stderr bytes.Buffer
		g := &globals{stdin: strings.NewReader("")}
		code := execute(ctx, g, append([]string{"--data-dir", dir, "simulate", "whatif"}, against...), &stdout, &stderr)
		if code != exitFailed || !strings.Contains(stderr.String(), "csat: whatif: interrupted; nothing was written") || stdout.Len() > 0 {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", against, code, stdout.String(), stderr.String())
		}
	}
}
