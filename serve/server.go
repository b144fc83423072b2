package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/activeterm"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
	"github.com/csat-app/csat/tui"
)

// Config is what one server needs. Store is owned by the caller, who closes
// it after Run returns.
type Config struct {
	Store         *store.Store
	DataDir       string
	SSHAddr       string // e.g. 127.0.0.1:23234; port 0 picks one
	HTTPAddr      string // e.g. 127.0.0.1:8080
	Users         *Users
	WebhookSecret []byte
	APIToken      string
	TokenFile     string // recorded for local csat commands
	Logger        *log.Logger
	WhatIf        tui.WhatIfFunc
	// Ready, if set, is called once both listeners accept, with the bound addresses.
	Ready func(Info)
	// SSH limits; zero means the Default of each (limits.go).
	HandshakeTimeout time.Duration // to finish the handshake and authenticate
	IdleTimeout      time.Duration // a dashboard without input is closed
	MaxSessions      int           // dashboards at once; more are told so and closed
}

// HostKeyFile is the SSH host key, created on first start and kept.
const HostKeyFile = "ssh_host_ed25519"

// ShutdownGrace bounds how long sessions get to say goodbye.
const ShutdownGrace = 5 * time.Second

// Server is the long-running process: the one owner of the store, serving
// dashboards over SSH and the HTTP API.
type Server struct {
	cfg      Config
	ingester *intercom.Ingester
	now      func() time.Time

	mu       sync.Mutex
	sessions map[*tea.Program]struct{}
	closing  bool
}

// New checks cfg and prepares the server: it aligns the store's roster
// with the users file (the role the file gives is the role the rules see)
// and reads the Intercom bookkeeping back from the log.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("serve: no store")
	case cfg.Users == nil:
		return nil, errors.New("serve: no users file")
	case len(cfg.WebhookSecret) == 0:
		return nil, errors.New("serve: no webhook secret (--webhook-secret-file or $CSAT_WEBHOOK_SECRET)")
	case cfg.APIToken == "":
		return nil, errors.New("serve: no API token")
	}
	cfg.limits()
	if cfg.Logger == nil {
		cfg.Logger = log.New(os.Stderr, "csat serve: ", log.LstdFlags)
	}
	// Log lines quote names, ids and errors that came from outside.
	cfg.Logger = log.New(safetext.LogWriter(cfg.Logger.Writer()), cfg.Logger.Prefix(), cfg.Logger.Flags())
	roster, err := cfg.Store.Teammates()
	if err != nil {
		return nil, fmt.Errorf("serve: reading the roster: %w", err)
	}
	have := map[string]domain.Role{}
	for _, t := range roster {
		have[t.Name] = t.Role
	}
	for _, u := range cfg.Users.Roster() {
		name, err := teammate(cfg.Store, u)
		if err != nil {
			cfg.Logger.Printf("users file: %v (their role is recorded when they connect)", err)
			continue
		}
		if r, ok := have[name]; ok && r == u.Role {
			continue
		}
		if _, err := cfg.Store.Apply(domain.Event{Kind: domain.EvRole, By: name, Role: u.Role}); err != nil {
			return nil, fmt.Errorf("serve: recording %s as %s: %w", name, u.Role, err)
		}
	}
	in, err := intercom.NewIngester(cfg.Store)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	in.Logf = cfg.Logger.Printf
	return &Server{cfg: cfg, ingester: in, now: store.Now, sessions: map[*tea.Program]struct{}{}}, nil
}

func (s *Server) logf(format string, args ...any) { s.cfg.Logger.Printf(format, args...) }

// Ingester is the server's Intercom ingester, which the webhook uses: other
// writers of Intercom data (import, sync) share it so their writes queue
// with the notifications'.
func (s *Server) Ingester() *intercom.Ingester { return s.ingester }

// teammate is the key of the teammate a users-file line names: the key it
// gives, or the one whose email or exact display name it gives, as the
// store's names know them (names arrive with Intercom data).
func teammate(st *store.Store, u User) (string, error) {
	if u.Name != "" {
		return u.Name, nil
	}
	a, ok, err := st.FindTeammate(u.Ref)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", fmt.Errorf("no teammate with the email or name %q has been seen yet (import or receive Intercom data first, or name the admin id)", u.Ref)
	}
	return a.Name, nil
}

// resolve sets u.Name from the users file's reference and records the
// teammate's role the first time they connect under it.
func (s *Server) resolve(u *User) error {
	name, err := teammate(s.cfg.Store, *u)
	if err != nil {
		return err
	}
	u.Name = name
	roster, err := s.cfg.Store.Teammates()
	if err != nil {
		return err
	}
	for _, t := range roster {
		if t.Name == name && t.Role == u.Role {
			return nil
		}
	}
	_, err = s.cfg.Store.Apply(domain.Event{Kind: domain.EvRole, By: name, Role: u.Role})
	return err
}

func (s *Server) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

type userKey struct{}

// sshServer builds the wish server: public keys from the users file only,
// no passwords, one dashboard per session.
func (s *Server) sshServer() (*ssh.Server, error) {
	hostKey := filepath.Join(s.cfg.DataDir, HostKeyFile)
	if err := ensureHostKey(hostKey); err != nil {
		return nil, fmt.Errorf("ssh host key: %w", err)
	}
	return wish.NewServer(
		wish.WithHostKeyPath(hostKey),
		wish.WithPublicKeyAuth(func(ctx ssh.Context, key ssh.PublicKey) bool {
			u, ok := s.cfg.Users.Lookup(key)
			if ok {
				ctx.SetValue(userKey{}, u)
			} else {
				s.logf("ssh: refused key %s for %q from %s", fingerprint(key), ctx.User(), ctx.RemoteAddr())
			}
			return ok
		}),
		// Middlewares run last-listed first: activeterm refuses sessions
		// without a terminal, the dashboard runs, then the goodbye.
		wish.WithMiddleware(s.goodbye, bm.MiddlewareWithProgramHandler(s.program, termenv.Ascii), activeterm.Middleware()),
		ssh.WrapConn(holdHandshake(s.cfg.HandshakeTimeout)),
	)
}

// program starts one dashboard for a session, styled for that client's terminal.
func (s *Server) program(sess ssh.Session) *tea.Program {
	u, ok := sess.Context().Value(userKey{}).(User)
	if !ok {
		// Unreachable: every session passed the key check.
		wish.Fatalln(sess, "csat: not authorized")
		return nil
	}
	if err := s.resolve(&u); err != nil {
		s.logf("ssh: %v", err)
		wish.Fatalln(sess, "csat: "+err.Error())
		return nil
	}
	m, err := tui.New(tui.Options{
		Store:     s.cfg.Store,
		Viewer:    u.Name,
		Renderer:  bm.MakeRenderer(sess),
		Logger:    s.cfg.Logger,
		WhatIf:    s.cfg.WhatIf,
		StoreName: "csat serve",
		// A session reaches no server file: its simulator saves scenarios
		// into the store instead.
		FileAccess: false,
		Clock:      s.now, // the API's "now" too
	})
	if err != nil {
		wish.Fatalln(sess, "csat: "+err.Error())
		return nil
	}
	input := newInputClock()
	opts := append([]tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithFilter(input.filter)}, bm.MakeOptions(sess)...)
	p := tea.NewProgram(m, opts...)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		m.Close()
		wish.Fatalln(sess, "csat serve is shutting down")
		return nil
	}
	if len(s.sessions) >= s.cfg.MaxSessions {
		s.mu.Unlock()
		m.Close()
		s.logf("ssh: %s refused from %s: all %d sessions in use", u.Name, sess.RemoteAddr(), s.cfg.MaxSessions)
		wish.Fatalln(sess, fmt.Sprintf("csat serve: all %d dashboards are in use; try again later.", s.cfg.MaxSessions))
		return nil
	}
	s.sessions[p] = struct{}{}
	s.mu.Unlock()
	establish(sess)
	go s.watchIdle(sess, p, input, u.Name)
	s.logf("ssh: %s (%s) connected from %s", u.Name, u.Role, sess.RemoteAddr())
	go func() {
		<-sess.Context().Done()
		m.Close()
		s.mu.Lock()
		delete(s.sessions, p)
		s.mu.Unlock()
		s.logf("ssh: %s disconnected", u.Name)
	}()
	return p
}

// goodbye runs after a dashboard ends: on shutdown it tells the person why.
func (s *Server) goodbye(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.mu.Lock()
		closing := s.closing
		s.mu.Unlock()
		switch {
		case closing:
			wish.Println(sess, "csat serve is shutting down; your dashboard was closed. Reconnect when it is back.")
		case closedIdle(sess):
			wish.Println(sess, fmt.Sprintf("csat serve closed your dashboard after %s without input. Reconnect any time.", s.cfg.IdleTimeout))
		}
		next(sess)
	}
}

// Run serves until ctx ends, then shuts down gracefully: stop accepting,
// end every session with a message, finish in-flight requests. The caller
// closes the store afterwards.
func (s *Server) Run(ctx context.Context) error {
	if err := os.MkdirAll(s.cfg.DataDir, 0o700); err != nil {
		return err
	}
	sshSrv, err := s.sshServer()
	if err != nil {
		return fmt.Errorf("ssh server: %w", err)
	}
	sshLn, err := net.Listen("tcp", s.cfg.SSHAddr)
	if err != nil {
		return fmt.Errorf("ssh: %w", err)
	}
	httpLn, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		sshLn.Close()
		return fmt.Errorf("http: %w", err)
	}
	httpSrv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	info := Info{PID: os.Getpid(), HTTP: httpLn.Addr().String(), SSH: sshLn.Addr().String(), TokenFile: s.cfg.TokenFile, Started: s.now()}
	if err := WriteInfo(s.cfg.DataDir, info); err != nil {
		sshLn.Close()
		httpLn.Close()
		return fmt.Errorf("recording the server address: %w", err)
	}
	defer RemoveInfo(s.cfg.DataDir)

	errc := make(chan error, 2)
	sshAccepting := &firstAccept{Listener: sshLn, called: make(chan struct{})}
	sshServed := make(chan struct{})
	go func() { defer close(sshServed); errc <- ignoreClosed(sshSrv.Serve(sshAccepting)) }()
	go func() { errc <- ignoreClosed(httpSrv.Serve(httpLn)) }()
	s.logf("listening: ssh %s, http %s", info.SSH, info.HTTP)
	s.ingester.EraseInBackground() // what Intercom deleted before a stop or crash
	if s.cfg.Ready != nil {
		s.cfg.Ready(info)
	}

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	// The ssh library registers its listener in a WaitGroup just before the
	// first Accept, and Shutdown waits on that group: shutting down before
	// then is a data race inside the library (seen when a server is stopped
	// right after it starts).
	select {
	case <-sshAccepting.called:
	case <-sshServed:
	}
	s.shutdown(sshSrv, httpSrv)
	return runErr
}

// firstAccept reports when Serve first asks for a connection.
type firstAccept struct {
	net.Listener
	once   sync.Once
	called chan struct{}
}

func (l *firstAccept) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.called) })
	return l.Listener.Accept()
}

func ignoreClosed(err error) error {
	if err == nil || errors.Is(err, http.ErrServerClosed) || errors.Is(err, ssh.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func (s *Server) shutdown(sshSrv *ssh.Server, httpSrv *http.Server) {
	s.mu.Lock()
	s.closing = true
	programs := make([]*tea.Program, 0, len(s.sessions))
	for p := range s.sessions {
		programs = append(programs, p)
	}
	s.mu.Unlock()
	s.logf("shutting down: %d sessions", len(programs))
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = httpSrv.Shutdown(ctx) }()
	go func() {
		defer wg.Done()
		// Shutdown closes the listener first, then waits for sessions.
		if err := sshSrv.Shutdown(ctx); err != nil {
			_ = sshSrv.Close()
		}
	}()
	for _, p := range programs {
		p.Quit()
	}
	wg.Wait()
	s.ingester.Wait() // an erasure under way finishes before the store closes
}

// NewToken makes a random API token.
func NewToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
