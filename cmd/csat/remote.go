package main

// One store, one owner: while `csat serve` runs on a data directory, Badger
// is locked by it, so read commands there ask the server over its HTTP API
// (address and token file recorded in the data directory) instead.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

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
	token, err := info.Token()
	if err != nil {
		return fmt.Errorf("the server's API token: %w", err)
	}
	u := url.URL{Scheme: "http", Host: info.HTTP, Path: path, RawQuery: query.Encode()}
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("csat serve (pid %d) owns the store but does not answer on %s: %w", info.PID, info.HTTP, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return fmt.Errorf("csat serve answered %s: %s", resp.Status, e.Error)
	}
	return json.Unmarshal(body, v)
}

// remoteLeaderboard reads a period's leaderboard from the running server.
func remoteLeaderboard(info serve.Info, p store.Period) (store.Leaderboard, error) {
	var lb store.Leaderboard
	q := url.Values{"from": {p.From.Format(time.DateOnly)}, "to": {p.To.Format(time.DateOnly)}}
	err := remoteGet(info, "/api/report", q, &lb)
	return lb, err
}

// remoteRatings reads every rating slot from the running server.
func remoteRatings(info serve.Info) ([]serve.RatingRow, error) {
	var rows []serve.RatingRow
	err := remoteGet(info, "/api/export/ratings", nil, &rows)
	return rows, err
}
