//go:build !windows

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// TestLoadInterrupted: Ctrl-C during a big load stops it between batches,
// says how much was committed (whole batches only), exits 1, and the store
// stays consistent. The load's stderr is a terminal, so that it draws its
// progress bar, which it does after each committed batch: the interrupt is
// sent once the bar shows, whatever the machine's load (a fixed sleep
// before it raced the start of a -race binary on a busy machine).
func TestLoadInterrupted(t *testing.T) {
	env := append(os.Environ(), "CSAT_DATA_DIR="+filepath.Join(t.TempDir(), "data"), "NO_COLOR=1")
	load := exec.Command("csat", "simulate", "load", "--teammates", "20", "--conversations", "2000000", "--days", "365",
		"--batch", "2000", "--end", "2027-03-01T12:00:00Z")
	load.Env = env
	var stdout bytes.Buffer
	load.Stdout = &stdout
	stderr, err := signalOnTerminal(load, os.Interrupt, regexp.MustCompile(`[1-9]\d*/~?\d+ events`).Match)
	if errors.Is(err, errEndedFirst) {
		t.Fatalf("the load ended before its first batch\n%s%s", stdout.String(), stderr)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("interrupted load: %v, want exit status 1\n%s", err, stderr)
	}
	if !regexp.MustCompile(`interrupted: [1-9]\d*000 events committed in whole batches; the rest was not written`).Match(stderr) {
		t.Errorf("stderr:\n%s", stderr)
	}
	if !regexp.MustCompile(`(?m)^loaded [1-9]\d* conversations, [1-9]\d*000 events into`).Match(stdout.Bytes()) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	if code, out, errOut := csatBinary(t, env, "check"); code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Errorf("check after the interrupt: %d\n%s%s", code, out, errOut)
	}
}

// TestLoadLiveUntilInterrupted: live traffic alone joins a store that
// already has a history, with real timestamps, until interrupted. The interrupt comes right after the
// first live batch is committed (a fixed sleep before it let a busy
// machine interrupt before any).
func TestLoadLiveUntilInterrupted(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := append(os.Environ(), "CSAT_DATA_DIR="+data, "NO_COLOR=1")
	if code, out, errOut := csatBinary(t, env, "simulate", "load", "--teammates", "4", "--conversations", "50", "--days", "5",
		"--end", "2026-03-01T12:00:00Z"); code != 0 {
		t.Fatalf("history: %d\n%s%s", code, out, errOut)
	}
	st, err := store.Open(store.Options{Dir: data, Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	history := st.Seq()
	f := &loadFlags{live: 200}
	f.cfg = simulate.LoadConfig{Teammates: 12, Days: 90, Seed: 1, BatchSize: simulate.DefaultBatchSize}
	if err := f.check(time.Now()); err != nil {
		t.Fatal(err)
	}
	ctx, interrupt := context.WithCancel(context.Background())
	var stdout bytes.Buffer
	started := time.Now()
	err = loadInto(ctx, &interruptAfterCommit{Loader: st, interrupt: interrupt}, f, data, &stdout, io.Discard)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^live: 200 events/s until interrupted.*\nlive: [1-9]\d* events written\n$`).MatchString(stdout.String()) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	code, out, errOut := csatBinary(t, env, "simulate", "whatif", "--since", "all", "--format", "json")
	if until := regexp.MustCompile(`"until": "([^"]+)"`).FindStringSubmatch(out); code != 0 || until == nil || until[1] < started.UTC().Add(-time.Minute).Format(time.RFC3339) {
		t.Errorf("whatif after the live load: %d, want the live events' real time as the end\n%s%s", code, out, errOut)
	}
	if code, out, errOut := csatBinary(t, env, "check"); code != 0 || !strings.HasPrefix(out, "ok: ") || history == 0 {
		t.Errorf("check after the live load (history seq %d): %d\n%s%s", history, code, out, errOut)
	}
}

// interruptAfterCommit is a store that interrupts the load once one batch
// has been committed.
type interruptAfterCommit struct {
	simulate.Loader
	interrupt func()
}

func (l *interruptAfterCommit) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	outs, err := l.Loader.ApplyBatch(evs)
	if err == nil {
		l.interrupt()
	}
	return outs, err
}
