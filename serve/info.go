package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// InfoFile is the file in the data directory that says a server owns the
// store and where to reach it.
const InfoFile = "serve.json"

// Info is what a running server records for other csat commands.
type Info struct {
	PID       int       `json:"pid"`
	HTTP      string    `json:"http"` // host:port of the HTTP API
	SSH       string    `json:"ssh"`  // host:port of the SSH dashboard
	TokenFile string    `json:"token_file,omitempty"`
	Started   time.Time `json:"started"`
}

// SSHCommand is how a person connects: "ssh -p 23234 127.0.0.1".
func (i Info) SSHCommand() string {
	host, port, err := net.SplitHostPort(i.SSH)
	if err != nil {
		return "ssh " + i.SSH
	}
	if port == "22" {
		return "ssh " + host
	}
	return "ssh -p " + port + " " + host
}

// Token reads the API token the server requires, if any.
func (i Info) Token() (string, error) {
	if i.TokenFile == "" {
		return "", nil
	}
	return ReadSecret(i.TokenFile)
}

// WriteInfo records i in dir, replacing any previous file atomically.
func WriteInfo(dir string, i Info) error {
	b, err := json.MarshalIndent(i, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, InfoFile), append(b, '\n'), 0o600)
}

// RemoveInfo deletes the record if it is still this process's.
func RemoveInfo(dir string) {
	if i, err := ReadInfo(dir); err == nil && i.PID == os.Getpid() {
		os.Remove(filepath.Join(dir, InfoFile))
	}
}

// ErrNoServer says no live server owns the directory.
var ErrNoServer = errors.New("no csat serve is running on this data directory")

// ReadInfo reads the record of the server that owns dir. A record left by a
// process that is gone (killed) is reported as ErrNoServer.
func ReadInfo(dir string) (Info, error) {
	b, err := os.ReadFile(filepath.Join(dir, InfoFile))
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, ErrNoServer
	}
	if err != nil {
		return Info{}, err
	}
	var i Info
	if err := json.Unmarshal(b, &i); err != nil {
		return Info{}, fmt.Errorf("%s: %v", filepath.Join(dir, InfoFile), err)
	}
	if i.PID <= 0 || processGone(i.PID) {
		return Info{}, fmt.Errorf("%w (stale %s of pid %s)", ErrNoServer, InfoFile, strconv.Itoa(i.PID))
	}
	return i, nil
}

// ReadSecret reads a secret or token file: its first line, trimmed.
func ReadSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s, _, _ := strings.Cut(string(b), "\n")
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%s: empty", path)
	}
	return s, nil
}
