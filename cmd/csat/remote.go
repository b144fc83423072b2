package main

// One store, one owner: while `csat serve` runs on a data directory, Badger
// is locked by it, so read commands there ask the server over its HTTP API
// (address and token file recorded in the data directory) instead.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/serve"
	"github.com/csat-app/csat/store"
)

// serverAddress returns the record of the live server owning dir, if any.
func serverAddress(dir string) (serve.Info, bool) {
	info, err := serve.ReadInfo(dir)
	return info, err == nil
}

// remoteServer resolves the data directory and, when `csat serve` owns it,
// returns where it listens.
func remoteServer(g *globals) (serve.Info, bool) {
	dir, err := store.DefaultDir(g.dataDir)
	if err != nil {
		return serve.Info{}, false
	}
	return serverAddress(dir)
}

// remoteGet fetches path from the running server's API into v.
func remoteGet(info serve.Info, path string, query url.Values, v any) error {
	return remoteDo(info, http.MethodGet, path, query, func(body io.Reader) error {
		return json.NewDecoder(body).Decode(v)
	})
}

// remoteDo calls the running server's API with its token and hands a 200
// answer's body to read.
func remoteDo(info serve.Info, method, path string, query url.Values, read func(io.Reader) error) error {
	token, err := info.Token()
	if err != nil {
		return fmt.Errorf("the server's API token: %w", err)
	}
	u := url.URL{Scheme: "http", Host: info.HTTP, Path: path, RawQuery: query.Encode()}
	req, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("csat serve (pid %d) owns the store but does not answer on %s: %w", info.PID, info.HTTP, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e)
		return fmt.Errorf("csat serve answered %s: %s", resp.Status, e.Error)
	}
	return read(resp.Body)
}

// reader is what report, export and check read: the store itself, or the
// `csat serve` process that owns it.
type reader interface {
	Close() error
	Dir() string
	Now() time.Time
	Seq() uint64
	Settings() domain.Settings
	Leaderboard(p store.Period) (store.Leaderboard, error)
	EachConversation(fn func(c domain.Conversation, updatedAt time.Time) error) error
	Check() ([]store.Difference, error)
}

// openReader opens the store read-only, or, when `csat serve` owns the data
// directory, a client of that server: the same reads, over its API.
func openReader(g *globals) (reader, error) {
	if info, ok := remoteServer(g); ok {
		return dialServer(info)
	}
	s, err := openStore(g, true)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// remote reads through a running server's HTTP API.
type remote struct {
	info  serve.Info
	state serve.State
}

func dialServer(info serve.Info) (*remote, error) {
	r := &remote{info: info}
	if err := remoteGet(info, "/api/state", nil, &r.state); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *remote) Close() error              { return nil }
func (r *remote) Dir() string               { return r.state.Dir }
func (r *remote) Now() time.Time            { return r.state.Now }
func (r *remote) Seq() uint64               { return r.state.Seq }
func (r *remote) Settings() domain.Settings { return r.state.Settings }

func (r *remote) Leaderboard(p store.Period) (store.Leaderboard, error) {
	var lb store.Leaderboard
	q := url.Values{"from": {stampOrEmpty(p.From)}, "to": {stampOrEmpty(p.To)}}
	err := remoteGet(r.info, "/api/report", q, &lb)
	return lb, err
}

func stampOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (r *remote) EachConversation(fn func(c domain.Conversation, updatedAt time.Time) error) error {
	return remoteStream(r.info, "/api/conversations", func(line []byte) error {
		var cl struct {
			serve.ConversationLine
			Error string `json:"error"`
		}
		if err := json.Unmarshal(line, &cl); err != nil {
			return fmt.Errorf("reading conversations from csat serve: %w", err)
		}
		if cl.Error != "" {
			return fmt.Errorf("csat serve: %s", cl.Error)
		}
		return fn(cl.Conversation, cl.UpdatedAt)
	})
}

func (r *remote) Check() ([]store.Difference, error) {
	var a serve.CheckAnswer
	if err := remoteDo(r.info, http.MethodPost, "/api/check", nil, func(body io.Reader) error {
		return json.NewDecoder(body).Decode(&a)
	}); err != nil {
		return nil, err
	}
	r.state.Seq = a.Seq
	return a.Differences, nil
}

// remoteStream calls fn for each line of a JSON-lines answer.
func remoteStream(info serve.Info, path string, fn func(line []byte) error) error {
	return remoteDo(info, http.MethodGet, path, nil, func(body io.Reader) error {
		sc := bufio.NewScanner(body)
		sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
		for sc.Scan() {
			if err := fn(sc.Bytes()); err != nil {
				return err
			}
		}
		return sc.Err()
	})
}

// busyHint explains a store held by another process; when that process is
// `csat serve`, it says how to reach the shared dashboard instead.
func busyHint(dir string, err error) error {
	if !errors.Is(err, store.ErrLocked) {
		return err
	}
	if info, ok := serverAddress(dir); ok {
		return fmt.Errorf("%w\n`csat serve` (pid %d) owns %s; open the shared dashboard with: %s", err, info.PID, dir, info.SSHCommand())
	}
	return err
}

// servedElsewhere tells a plain `csat` on a data directory that `csat serve`
// owns how to open the shared dashboard instead.
func servedElsewhere(g *globals, demo bool) error {
	if demo {
		return nil
	}
	info, ok := remoteServer(g)
	if !ok {
		return nil
	}
	return usageErr(fmt.Errorf("csat serve (pid %d) owns this data directory; open the shared dashboard with: %s", info.PID, info.SSHCommand()))
}
