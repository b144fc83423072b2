package serve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log destination the server and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// sshUsers makes keys for ann (admin), bob (teammate) and eve (not listed).
func sshUsers(t *testing.T, dir string) (map[string]string, string) {
	keys := map[string]string{}
	var users strings.Builder
	for _, u := range []struct{ name, role string }{{"ann", "admin"}, {"bob", "teammate"}, {"eve", ""}} {
		priv, pub := keygen(t, dir, u.name)
		keys[u.name] = priv
		if u.role != "" {
			fmt.Fprintf(&users, "%s %s %s\n", u.name, u.role, pub)
		}
	}
	return keys, users.String()
}

// TestSSHLimits: connections that never finish the handshake are closed
// at its deadline, a dashboard over the session limit is told so and
// closed, a dashboard without input is closed at the idle timeout with a
// word why, and a refused key is logged by its SHA256 fingerprint.
func TestSSHLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	need(t, "ssh", "ssh-keygen", "tmux")
	dir := t.TempDir()
	keys, users := sshUsers(t, dir)
	logs := &syncBuffer{}
	h := startServerWith(t, dir, keys, users, func(c *Config) {
		// Long enough for a real ssh client on a loaded machine (500 ms
		// failed one run beside other packages' tests), short for a test.
		c.HandshakeTimeout = 3 * time.Second
		c.IdleTimeout = 3 * time.Second
		c.MaxSessions = 1
		c.Logger = log.New(logs, "", 0)
	})

	// A bare TCP connection and one that stops after its version line,
	// both open at once.
	hellos := []string{"", "SSH-2.0-silent\r\n"}
	conns := make([]net.Conn, len(hellos))
	for i, hello := range hellos {
		conn, err := net.Dial("tcp", h.info.SSH)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, hello); err != nil {
			t.Fatal(err)
		}
		conns[i] = conn
	}
	for i, conn := range conns {
		// The client's own deadline only bounds a failing test.
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, err := io.Copy(io.Discard, conn)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("a connection sending %q was still open after 30 s", hellos[i])
		}
	}

	out, err := exec.Command("ssh", append(h.sshArgs("eve"), "true")...).CombinedOutput()
	if err == nil {
		t.Fatalf("eve's key was let in: %s", out)
	}
	pub, _ := os.ReadFile(keys["eve"] + ".pub")
	fp, _ := exec.Command("ssh-keygen", "-l", "-f", keys["eve"]+".pub").Output()
	want := strings.Fields(string(fp))[1] // SHA256:…
	if !strings.Contains(logs.String(), "refused key ssh-ed25519 "+want+` for "eve"`) {
		t.Fatalf("the refused key (%s) is not in the log by its fingerprint:\n%s", pub, logs.String())
	}

	x := newTmux(t)
	x.open("ann", h.sshArgs("ann"))
	x.waitFor("ann", "ann's dashboard", contains("Leaderboard", "ann (admin)"))
	x.open("bob", h.sshArgs("bob"))
	x.waitFor("bob", "the refusal", contains("all 1 dashboards are in use; try again later.", "[ssh exited"))
	x.keys("ann", "2")
	x.waitFor("ann", "the follow-ups", contains("Follow-ups"))
	x.waitFor("ann", "the idle close", contains("closed your dashboard after 3s without input", "[ssh exited 0]"))
	for _, line := range []string{"ssh: bob refused from", "ssh: ann closed after 3s without input"} {
		if !strings.Contains(logs.String(), line) {
			t.Errorf("the log lacks %q:\n%s", line, logs.String())
		}
	}
}

// TestSSHSaveWritesNoServerFile drives the simulator's save over a real
// ssh session: a path typed at the prompt is refused and no file appears
// on the server; a name keeps the session in the store. On the way, a
// remark that would retitle the pane and clear the screen arrives by
// webhook and is shown as text.
func TestSSHSaveWritesNoServerFile(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	need(t, "ssh", "ssh-keygen", "tmux")
	dir := t.TempDir()
	keys, users := sshUsers(t, dir)
	h := startServer(t, dir, keys, users)
	target := filepath.Join(t.TempDir(), "pwned.csat")
	x := newTmux(t)
	x.open("ann", h.sshArgs("ann"))
	x.waitFor("ann", "ann's dashboard", contains("Leaderboard", "ann (admin)"))
	title := strings.TrimSpace(x.run("display-message", "-p", "-t", "ann", "#{pane_title}"))

	rating, err := os.ReadFile("../intercom/testdata/notification_rating.json")
	if err != nil {
		t.Fatal(err)
	}
	hostile := bytes.Replace(rating, []byte(`"Quick and clear, thank you!"`), []byte(`"=HYPERLINK(1) \u001b]2;pwned\u0007\u001b[2J\u001b[Hfake \u202egnp.exe"`), 1)
	if code, a := h.post(hostile); code != 200 || a.Status != "ok" {
		t.Fatalf("webhook: %d %+v", code, a)
	}
	x.keys("ann", "3")
	screen := x.waitFor("ann", "the remark as text", contains("=HYPERLINK(1) fake gnp.exe"))
	if !strings.Contains(screen, "Achievements") {
		t.Fatalf("the remark cleared the frame:\n%s", screen)
	}
	if got := strings.TrimSpace(x.run("display-message", "-p", "-t", "ann", "#{pane_title}")); got != title || strings.Contains(got, "pwned") {
		t.Fatalf("the remark retitled the pane: %q, was %q", got, title)
	}

	x.keys("ann", "5")
	x.waitFor("ann", "the simulator", contains("sandbox"))
	x.keys("ann", "n", "Enter")
	x.waitFor("ann", "a conversation", contains("c1 1/1"))
	x.keys("ann", "S")
	x.waitFor("ann", "the name prompt", contains("save as scenario named:"))
	x.keys("ann", "-l", target)
	x.keys("ann", "Enter")
	x.waitFor("ann", "the refusal", contains("scenario name"))
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("an ssh session wrote %s on the server (%v)", target, err)
	}
	x.keys("ann", "S")
	x.keys("ann", "-l", "drill-1")
	x.keys("ann", "Enter")
	x.waitFor("ann", "the save", contains("as scenario drill-1"))
	sc, ok, err := h.st.Scenario("drill-1")
	if err != nil || !ok || sc.By != "ann" || !strings.Contains(sc.Script, "start c1") {
		t.Fatalf("stored scenario %+v %v %v", sc, ok, err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("%s exists after the session: %v", target, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(target))
	if len(entries) != 0 {
		t.Fatalf("files appeared beside the target: %v", entries)
	}
}
