package serve

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// The SSH limits, unless Config sets others: a connection has this long to
// finish the handshake and authenticate, a dashboard is closed after this
// long without a key press or mouse event, and this many dashboards run at
// once.
const (
	DefaultHandshakeTimeout = 30 * time.Second
	DefaultIdleTimeout      = 2 * time.Hour
	DefaultMaxSessions      = 100
)

func (c *Config) limits() {
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
}

type handshakeKey struct{}

// handshakeConn holds a connection to the handshake deadline until its
// dashboard starts. The ssh library moves a connection's deadline on every
// read and write (to none, without its own idle timeout), which would let a
// client that trickles bytes, or a bare TCP connection, stay for ever.
type handshakeConn struct {
	net.Conn
	mu   sync.Mutex
	done bool
}

// holdHandshake is the server's connection callback.
func holdHandshake(timeout time.Duration) ssh.ConnCallback {
	return func(ctx ssh.Context, conn net.Conn) net.Conn {
		_ = conn.SetDeadline(time.Now().Add(timeout))
		hc := &handshakeConn{Conn: conn}
		ctx.SetValue(handshakeKey{}, hc)
		return hc
	}
}

func (c *handshakeConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.done {
		return nil
	}
	return c.Conn.SetDeadline(t)
}

// established lifts the handshake deadline: the person is in.
func (c *handshakeConn) established() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.done {
		c.done = true
		_ = c.Conn.SetDeadline(time.Time{})
	}
}

func establish(sess ssh.Session) {
	if hc, ok := sess.Context().Value(handshakeKey{}).(*handshakeConn); ok {
		hc.established()
	}
}

// inputClock is when a dashboard last had input from its person: a key or
// the mouse. Output does not count (the status bar ticks every second), nor
// does the ssh client's own traffic (keepalives, window updates).
type inputClock struct{ last atomic.Int64 }

func newInputClock() *inputClock {
	c := &inputClock{}
	c.last.Store(time.Now().UnixNano())
	return c
}

// filter is the program's message filter; it only watches.
func (c *inputClock) filter(_ tea.Model, msg tea.Msg) tea.Msg {
	switch msg.(type) {
	case tea.KeyMsg, tea.MouseMsg:
		c.last.Store(time.Now().UnixNano())
	}
	return msg
}

type idleKey struct{}

// watchIdle quits the dashboard of sess once it has had no input for the
// idle timeout, and marks the session so that the goodbye says why.
func (s *Server) watchIdle(sess ssh.Session, p *tea.Program, in *inputClock, name string) {
	timeout := s.cfg.IdleTimeout
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case <-sess.Context().Done():
			return
		case <-t.C:
		}
		idle := time.Since(time.Unix(0, in.last.Load()))
		if idle < timeout {
			t.Reset(timeout - idle)
			continue
		}
		sess.Context().SetValue(idleKey{}, true)
		s.logf("ssh: %s closed after %s without input", name, timeout)
		p.Quit()
		return
	}
}

func closedIdle(sess ssh.Session) bool {
	idle, _ := sess.Context().Value(idleKey{}).(bool)
	return idle
}

// fingerprint names a key in logs as ssh-keygen -l does: SHA256:….
func fingerprint(k ssh.PublicKey) string {
	if k == nil {
		return "(none)"
	}
	return k.Type() + " " + gossh.FingerprintSHA256(k)
}
