package owner_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/owner"
)

func TestForwardRunsOnTheOwnerAndStreamsBack(t *testing.T) {
	dir := t.TempDir()
	l, err := owner.Listen(dir, func(ctx context.Context, req owner.Request, stdout, stderr io.Writer) int {
		fmt.Fprintf(stdout, "ran %s in %s\n", strings.Join(req.Args, " "), req.Dir)
		fmt.Fprintf(stderr, "stdin %q terminal %v\n", req.Stdin, req.Terminal)
		return 3
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(time.Second)
	st, err := os.Stat(filepath.Join(dir, owner.SocketFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("socket: %v %v", st, err)
	}
	var out, errOut bytes.Buffer
	code, err := owner.Forward(context.Background(), dir, owner.Request{Args: []string{"report", "--period", "7d"}, Dir: "/w", Stdin: []byte("x"), Terminal: true}, &out, &errOut)
	if err != nil || code != 3 {
		t.Fatalf("forward: %d %v", code, err)
	}
	if out.String() != "ran report --period 7d in /w\n" || errOut.String() != "stdin \"x\" terminal true\n" {
		t.Fatalf("stdout %q stderr %q", out.String(), errOut.String())
	}
}

func TestForwardWithoutOwner(t *testing.T) {
	dir := t.TempDir()
	if _, err := owner.Forward(context.Background(), dir, owner.Request{}, io.Discard, io.Discard); !errors.Is(err, owner.ErrNoOwner) {
		t.Fatalf("no socket: %v", err)
	}
	// A dead owner's socket file: nobody listens.
	ln, err := net.Listen("unix", filepath.Join(dir, owner.SocketFile))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := owner.Forward(context.Background(), dir, owner.Request{}, io.Discard, io.Discard); !errors.Is(err, owner.ErrNoOwner) {
		t.Fatalf("stale socket: %v", err)
	}
	// A new owner replaces it.
	l, err := owner.Listen(dir, func(context.Context, owner.Request, io.Writer, io.Writer) int { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	l.Close(time.Second)
	if _, err := os.Stat(filepath.Join(dir, owner.SocketFile)); !os.IsNotExist(err) {
		t.Fatalf("socket left after Close: %v", err)
	}
}

// A data directory deeper than a unix socket address may be long.
func TestLongDataDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := owner.Listen(dir, func(_ context.Context, _ owner.Request, stdout, _ io.Writer) int {
		io.WriteString(stdout, "ok")
		return 0
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(time.Second)
	var out bytes.Buffer
	if code, err := owner.Forward(context.Background(), dir, owner.Request{}, &out, io.Discard); err != nil || code != 0 || out.String() != "ok" {
		t.Fatalf("%d %v %q", code, err, out.String())
	}
}

// The caller going away (Ctrl-C) cancels the command on the owner.
func TestCallerGoneCancelsTheCommand(t *testing.T) {
	dir := t.TempDir()
	started, cancelled := make(chan struct{}), make(chan struct{})
	l, err := owner.Listen(dir, func(ctx context.Context, _ owner.Request, stdout, _ io.Writer) int {
		io.WriteString(stdout, "started\n")
		close(started)
		<-ctx.Done()
		close(cancelled)
		return 1
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	if _, err := owner.Forward(ctx, dir, owner.Request{}, io.Discard, io.Discard); err == nil {
		t.Fatal("forward survived its context")
	}
	<-cancelled
}
