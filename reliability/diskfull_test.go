//go:build unix

package reliability

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fillUp writes to path until the file system is full, as another
// process would; the test process is that other process.
func fillUp(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 256<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	// The last bytes: the writes above stop at a whole chunk.
	for {
		if _, err := f.Write(chunk[:4096]); err != nil {
			return
		}
	}
}

// waitExit waits up to a minute for cmd to end on its own, and returns its
// exit status (-1 when a signal ended it).
func waitExit(t *testing.T, cmd *exec.Cmd, what string) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s: still running a minute after the disk filled", what)
	}
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		t.Fatalf("%s died of %v (the disk filled under it)", what, ws.Signal())
	}
	return ws.ExitStatus()
}

// TestFaultDiskFilledDuringLiveLoad fills the file system from another
// process while `csat simulate load --live` writes: the load stops with a
// "disk full" error, never a SIGBUS; once space is freed, check passes and
// every event stored before is still there.
func TestFaultDiskFilledDuringLiveLoad(t *testing.T) {
	mnt := mountTmpfs(t, "96m")
	dir := filepath.Join(mnt, "data")
	before := seeded(t, dir)
	cmd := exec.Command(csatBinary(t), "simulate", "load", "--data-dir", dir, "--conversations", "0", "--live", "20000")
	cmd.Env = cleanEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "live:") {
	}
	go io.Copy(io.Discard, stdout)
	fillUp(t, filepath.Join(mnt, "filler"))
	code := waitExit(t, cmd, "csat simulate load --live")
	assertNoPanic(t, []string{"simulate"}, result{code: code, stderr: stderr.String()})
	if code == 0 || !strings.Contains(stderr.String(), "disk full") {
		t.Fatalf("the load on a disk filled under it: exit %d, want a 'disk full' error:\n%s", code, stderr.String())
	}
	// Read-only commands on the full disk work.
	if r := csat(t, "report", "--data-dir", dir); r.code != 0 {
		t.Fatalf("report on the full disk:\n%s", r)
	}
	os.Remove(filepath.Join(mnt, "filler"))
	checkStore(t, dir)
	after := exportRatings(t, dir)
	for _, line := range strings.Split(strings.TrimSpace(before), "\n") {
		if !strings.Contains(after, line+"\n") {
			t.Fatalf("a rating stored before the disk filled is gone or changed: %s", line)
		}
	}
}

// TestFaultDiskFilledUnderWebhooks fills the file system from another
// process while `csat serve` takes webhooks: serve answers with errors,
// never dies of SIGBUS, stops cleanly when asked, and after space is freed
// check passes and every acknowledged notification is stored.
func TestFaultDiskFilledUnderWebhooks(t *testing.T) {
	mnt := mountTmpfs(t, "96m")
	tmp := t.TempDir()
	dir := filepath.Join(mnt, "data")
	users := writeFile(t, filepath.Join(tmp, "users"), testUsers)
	secret := writeFile(t, filepath.Join(tmp, "secret"), testSecret+"\n")
	template := ratingTemplate(t)
	srv := startServe(t, dir, users, secret)
	client := &http.Client{Timeout: 10 * time.Second}
	var (
		mu       sync.Mutex
		acked    []string
		refused  int
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		progress = make(chan struct{}, 1)
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id := fmt.Sprintf("full-%d", i)
			ok, err := post(client, srv.webhook, notification(t, template, id))
			mu.Lock()
			if ok {
				acked = append(acked, id)
			} else if err != nil {
				refused++
			}
			mu.Unlock()
			select {
			case progress <- struct{}{}:
			default:
			}
		}
	}()
	<-progress
	fillUp(t, filepath.Join(mnt, "filler"))
	// Keep posting until serve has refused some on the full disk.
	for n := 0; ; n++ {
		<-progress
		mu.Lock()
		r := refused
		mu.Unlock()
		if r >= 20 {
			break
		}
		if n > 100000 {
			t.Fatal("serve never refused a webhook on the full disk")
		}
	}
	close(stop)
	wg.Wait()
	client.CloseIdleConnections()
	srv.cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, srv.cmd, "csat serve")
	assertNoPanic(t, []string{"serve"}, result{stderr: srv.stderr.String()})
	os.Remove(filepath.Join(mnt, "filler"))
	checkStore(t, dir)
	if missing := notStored(t, dir, acked); len(missing) > 0 {
		t.Fatalf("%d of %d acknowledged notifications are not stored, e.g. %v", len(missing), len(acked), missing[:min(5, len(missing))])
	}
	t.Logf("%d acknowledged, then refusals on the full disk", len(acked))
}

// TestFaultServeOnFullDiskLeavesNoEmptyFile starts serve on a full disk:
// it refuses with an error, leaves no empty or partial file (the API
// token, the host key), and starts normally once space is freed.
func TestFaultServeOnFullDiskLeavesNoEmptyFile(t *testing.T) {
	mnt := mountTmpfs(t, "64m")
	tmp := t.TempDir()
	dir := filepath.Join(mnt, "data")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	users := writeFile(t, filepath.Join(tmp, "users"), testUsers)
	secret := writeFile(t, filepath.Join(tmp, "secret"), testSecret+"\n")
	fillUp(t, filepath.Join(mnt, "filler"))
	r := csat(t, "serve", "--data-dir", dir, "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0", "--users", users, "--webhook-secret-file", secret)
	if r.code != 2 {
		t.Fatalf("serve on a full disk: want exit 2:\n%s", r)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Size() == 0 {
			t.Errorf("serve on a full disk left the empty file %s", e.Name())
		}
	}
	os.Remove(filepath.Join(mnt, "filler"))
	srv := startServe(t, dir, users, secret)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, srv.cmd, "csat serve"); code != 0 {
		t.Fatalf("serve after space was freed: exit %d\n%s", code, srv.stderr)
	}
}
