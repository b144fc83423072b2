// Package owner lets the one csat process that holds a data directory's
// store (csat serve, or the dashboard) answer other csat commands on the
// same directory. Badger allows a single writer, so instead of refusing
// with "in use", a command finds the owner's socket in the data directory
// and asks it to run the command line there, against the store it already
// has open; the owner streams stdout, stderr and the exit status back.
//
// The transport is HTTP over a unix socket (mode 0600, in the owner's data
// directory): POST /run with a JSON [Request], answered by frames of
// bytes (see [Forward]). It knows nothing of the commands: what may run
// through it, and how, is the caller's [Runner]'s business.
package owner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// SocketFile is the socket's name in the data directory.
const SocketFile = "csat.sock"

// Request is a command line another csat process asks the owner to run.
type Request struct {
	Args     []string `json:"args"`
	Dir      string   `json:"dir"`             // the caller's working directory, for relative paths
	Stdin    []byte   `json:"stdin,omitempty"` // only when a command reads it ("-")
	Terminal bool     `json:"terminal"`        // the caller's stderr is a terminal
	// Env holds the caller's values of the variables the runner reads.
	Env map[string]string `json:"env,omitempty"`
}

// Runner runs a request against the owner's store and returns its exit
// status. ctx ends when the caller goes away (Ctrl-C).
type Runner func(ctx context.Context, req Request, stdout, stderr io.Writer) int

// Frame kinds of an answer: each frame is the kind byte, a uvarint length
// and that many bytes.
const (
	frameStdout = 'o'
	frameStderr = 'e'
	frameExit   = 'x' // the exit status, in decimal
)

// Listener is a running owner socket.
type Listener struct {
	path string
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// Listen serves run on the socket of dir. The caller must hold the store's
// lock: a socket file already there is then a dead owner's and is replaced.
func Listen(dir string, run Runner) (*Listener, error) {
	path := filepath.Join(dir, SocketFile)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("removing the old %s: %w", path, err)
	}
	addr, release, err := socketAddr(dir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", addr)
	release()
	if err != nil {
		return nil, fmt.Errorf("owner socket: %w", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	l := &Listener{path: path, ln: ln, done: make(chan struct{})}
	l.srv = &http.Server{Handler: handler(run), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(l.done)
		_ = l.srv.Serve(ln)
	}()
	return l, nil
}

// Close stops answering, waits up to grace for commands under way (then
// cancels them), and removes the socket.
func (l *Listener) Close(grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := l.srv.Shutdown(ctx); err != nil {
		_ = l.srv.Close()
	}
	<-l.done
	os.Remove(l.path)
}

// socketAddr is the address to bind or dial: the socket's path, or, when
// that is longer than a unix socket address may be, the same file reached
// through this process's descriptor of dir (Linux).
func socketAddr(dir string) (string, func(), error) {
	path := filepath.Join(dir, SocketFile)
	if len(path) < 100 {
		return path, func() {}, nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return "", nil, err
	}
	short := "/proc/self/fd/" + strconv.Itoa(int(d.Fd())) + "/" + SocketFile
	if _, err := os.Stat(filepath.Dir(short)); err != nil {
		d.Close()
		return "", nil, fmt.Errorf("owner socket: %s is too long a path for a unix socket", path)
	}
	return short, func() { d.Close() }, nil
}

func handler(run Runner) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /run", func(w http.ResponseWriter, r *http.Request) {
		var req Request
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<20)).Decode(&req); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-csat-frames")
		fw := &frameWriter{w: w, flush: http.NewResponseController(w)}
		code := run(r.Context(), req, fw.stream(frameStdout), fw.stream(frameStderr))
		_ = fw.frame(frameExit, []byte(strconv.Itoa(code)))
	})
	return mux
}

// frameWriter writes frames to one answer; stdout and stderr share it.
type frameWriter struct {
	mu    sync.Mutex
	w     io.Writer
	flush *http.ResponseController
}

func (f *frameWriter) frame(kind byte, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var head [1 + binary.MaxVarintLen64]byte
	head[0] = kind
	n := binary.PutUvarint(head[1:], uint64(len(p)))
	if _, err := f.w.Write(head[:1+n]); err != nil {
		return err
	}
	if _, err := f.w.Write(p); err != nil {
		return err
	}
	// Progress and partial output reach the caller as they are written.
	return f.flush.Flush()
}

type streamWriter struct {
	f    *frameWriter
	kind byte
}

func (f *frameWriter) stream(kind byte) io.Writer { return streamWriter{f, kind} }

func (s streamWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := s.f.frame(s.kind, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ErrNoOwner says no process answers on the data directory's socket.
var ErrNoOwner = errors.New("no csat process answers on this data directory")

// Forward asks the owner of dir to run req, copying its output to stdout
// and stderr as it comes, and returns the exit status. It returns
// ErrNoOwner when there is no socket or nobody listens on it (an owner
// that died leaves its socket behind); the caller then opens the store
// itself.
func Forward(ctx context.Context, dir string, req Request, stdout, stderr io.Writer) (int, error) {
	if _, err := os.Stat(filepath.Join(dir, SocketFile)); err != nil {
		return 0, ErrNoOwner
	}
	addr, release, err := socketAddr(dir)
	if err != nil {
		return 0, err
	}
	defer release()
	conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "unix", addr)
	if err != nil {
		return 0, ErrNoOwner
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext:       func(context.Context, string, string) (net.Conn, error) { return conn, nil },
		DisableKeepAlives: true,
	}}
	body, err := json.Marshal(req)
	if err != nil {
		return 0, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://csat/run", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(hr)
	if err != nil {
		return 0, fmt.Errorf("the csat process owning %s did not answer: %w", dir, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, fmt.Errorf("the csat process owning %s answered %s: %s", dir, resp.Status, msg)
	}
	return readFrames(bufio.NewReader(resp.Body), stdout, stderr)
}

func readFrames(r *bufio.Reader, stdout, stderr io.Writer) (int, error) {
	for {
		kind, err := r.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("the owning csat process stopped answering: %w", unexpected(err))
		}
		n, err := binary.ReadUvarint(r)
		if err != nil || n > 64<<20 {
			return 0, fmt.Errorf("the owning csat process sent a broken answer")
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(r, p); err != nil {
			return 0, fmt.Errorf("the owning csat process stopped answering: %w", unexpected(err))
		}
		switch kind {
		case frameStdout:
			_, err = stdout.Write(p)
		case frameStderr:
			_, err = stderr.Write(p)
		case frameExit:
			return strconv.Atoi(string(p))
		}
		if err != nil {
			return 0, err
		}
	}
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
