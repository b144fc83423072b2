//go:build !windows

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"

	"github.com/creack/pty"
	"github.com/rogpeppe/go-internal/testscript"
)

func init() { scriptCmds["interrupt-load"] = interruptLoad }

// interruptLoad is the scripts' command
//
//	interrupt-load int|kill EVENTS ARGS...
//
// It runs csat ARGS with stderr on a pseudo-terminal, so that the load
// draws its progress bar after each committed batch, and once the bar
// shows EVENTS or more it sends SIGINT (int: Ctrl-C, the load commits
// the batch in flight or none of it and exits 1) or SIGKILL (kill: a
// crash, anywhere, even inside a commit). The load's stdout and stderr
// become the command's. It waits for events, never for time.
func interruptLoad(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || (args[0] != "int" && args[0] != "kill") {
		ts.Fatalf("usage: interrupt-load int|kill EVENTS ARGS...")
	}
	sig := os.Signal(os.Interrupt)
	if args[0] == "kill" {
		sig = os.Kill
	}
	at, err := strconv.Atoi(args[1])
	ts.Check(err)
	load := exec.Command("csat", args[2:]...)
	load.Dir = ts.Getenv("WORK")
	load.Env = os.Environ()
	for _, k := range []string{"PATH", "HOME", "CSAT_DATA_DIR", "XDG_DATA_HOME", "NO_COLOR", "TMPDIR"} {
		load.Env = append(load.Env, k+"="+ts.Getenv(k))
	}
	var stdout bytes.Buffer
	load.Stdout = &stdout
	bar := regexp.MustCompile(`(\d+)/~?\d+ events`)
	stderr, err := signalOnTerminal(load, sig, func(stderr []byte) bool {
		m := bar.FindAllSubmatch(stderr, -1)
		shown := 0
		if m != nil {
			shown, _ = strconv.Atoi(string(m[len(m)-1][1]))
		}
		return shown >= at
	})
	ts.Stdout().Write(stdout.Bytes())
	ts.Stderr().Write(stderr)
	if errors.Is(err, errEndedFirst) {
		ts.Fatalf("the load ended before it showed %d events", at)
	}
	var exit *exec.ExitError
	switch {
	case !errors.As(err, &exit):
		ts.Fatalf("the interrupted load: %v, want it stopped", err)
	case sig == os.Kill && exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL:
		ts.Fatalf("the killed load: %v", err)
	case sig == os.Interrupt && exit.ExitCode() != 1:
		ts.Fatalf("the interrupted load: %v, want exit status 1", err)
	}
}

var errEndedFirst = errors.New("the command ended before the signal")

// signalOnTerminal starts cmd with its stderr on a pseudo-terminal, sends
// it sig once ready says so of the stderr read so far, and waits for it.
// It returns the stderr and cmd's end (errEndedFirst when it ended before
// it was ready).
func signalOnTerminal(cmd *exec.Cmd, sig os.Signal, ready func(stderr []byte) bool) ([]byte, error) {
	terminal, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("no pseudo-terminal: %w", err)
	}
	defer terminal.Close()
	cmd.Stderr = tty
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	tty.Close() // cmd holds the only other end: reads end when it exits
	var stderr bytes.Buffer
	buf := make([]byte, 4096)
	for !ready(stderr.Bytes()) {
		n, err := terminal.Read(buf)
		stderr.Write(buf[:n])
		if err != nil {
			cmd.Wait()
			return stderr.Bytes(), errEndedFirst
		}
	}
	if err := cmd.Process.Signal(sig); err != nil {
		return stderr.Bytes(), err
	}
	rest, _ := io.ReadAll(terminal) // EIO once cmd has exited
	stderr.Write(rest)
	return stderr.Bytes(), cmd.Wait()
}
