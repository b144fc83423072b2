//go:build unix

package reliability

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	faultPath string // the same binary with the fault-injection hooks (-tags csatfault)
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// csatBinary builds ./cmd/csat once per test binary run.
func csatBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "csat-reliability-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "csat")
		faultPath = filepath.Join(binDir, "csat-fault")
		for _, args := range [][]string{{"-o", binPath}, {"-tags", "csatfault", "-o", faultPath}} {
			cmd := exec.Command("go", append(append([]string{"build"}, args...), "./cmd/csat")...)
			cmd.Dir = ".."
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = errors.New("go build ./cmd/csat: " + err.Error() + "\n" + string(out))
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// result is one finished csat run.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout: " + r.stdout + "\nstderr: " + r.stderr
}

// csat runs the binary to completion (bounded by a minute) with a clean
// environment, so no developer setting leaks in.
func csat(t *testing.T, args ...string) result {
	t.Helper()
	return csatEnv(t, nil, args...)
}

// csatEnv is csat with more environment variables (NAME=value).
func csatEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(csatBinary(t), args...)
	cmd.Env = append(cleanEnv(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("csat %s: still running after a minute", strings.Join(args, " "))
	}
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("csat %s: %v", strings.Join(args, " "), err)
	}
	if !strings.Contains(os.Getenv("CSAT_ALLOW_FATAL"), args[0]) {
		assertNoPanic(t, args, r)
	}
	return r
}

func cleanEnv() []string {
	home := os.Getenv("HOME")
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TERM=dumb", "NO_COLOR=1"}
}

// assertNoPanic fails when the output shows a Go panic or a goroutine dump.
func assertNoPanic(t *testing.T, args []string, r result) {
	t.Helper()
	for _, s := range []string{r.stdout, r.stderr} {
		if strings.Contains(s, "panic:") || strings.Contains(s, "goroutine ") {
			t.Fatalf("csat %s panicked:\n%s", strings.Join(args, " "), r)
		}
	}
}

var replayed = regexp.MustCompile(`(?m)^ok: (\d+) events replayed`)

// checkStore runs `csat check` on dir, requires exit 0, and returns the
// number of events in the log.
func checkStore(t *testing.T, dir string) uint64 {
	t.Helper()
	r := csat(t, "check", "--data-dir", dir)
	if r.code != 0 {
		t.Fatalf("csat check after the kill:\n%s", r)
	}
	m := replayed.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("csat check: no event count in\n%s", r)
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}
