package serve

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

var update = flag.Bool("update", false, "rewrite the API golden files")

// contractStore holds a small history with every shape a row can take: a
// rated and commented slot, a negative one, an unrated one, a bot agent.
func contractStore(t *testing.T, st *store.Store) {
	t.Helper()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	long := strings.Repeat("The export times out after thirty seconds. ", 7)
	apply := func(ev domain.Event) {
		t.Helper()
		ev.At = at
		if _, err := st.Apply(ev); err != nil {
			t.Fatalf("%s %s: %v", ev.Kind, ev.Conv, err)
		}
		at = at.Add(time.Minute)
	}
	apply(domain.Event{Kind: domain.EvRole, By: "ann", Role: domain.RoleAdmin})
	apply(domain.Event{Kind: domain.EvSet, Setting: domain.SettingKey{Scope: "users", Name: "change-window"}, Text: "72", By: "ann"})
	for i, r := range []struct {
		conv, mate string
		value      int
		comment    string
	}{{"c1", "bob", 5, "Quick and clear, thank you!"}, {"c2", "cy", 1, ""}, {"c3", "bob", 0, ""}} {
		cust := domain.User("cust" + string(rune('1'+i)))
		apply(domain.Event{Kind: domain.EvStart, Conv: r.conv, Actor: cust})
		apply(domain.Event{Kind: domain.EvSay, Conv: r.conv, Actor: cust, Text: long})
		apply(domain.Event{Kind: domain.EvSay, Conv: r.conv, Actor: domain.Teammate(r.mate), Text: long})
		apply(domain.Event{Kind: domain.EvClose, Conv: r.conv, Actor: domain.Teammate(r.mate)})
		if r.value != 0 {
			apply(domain.Event{Kind: domain.EvRate, Conv: r.conv, Actor: cust, Value: r.value})
		}
		if r.comment != "" {
			apply(domain.Event{Kind: domain.EvComment, Conv: r.conv, Actor: cust, Text: r.comment})
		}
	}
	apply(domain.Event{Kind: domain.EvStart, Conv: "bot1", Actor: domain.Lead("zoe"), Origin: domain.OriginWorkflow})
	apply(domain.Event{Kind: domain.EvSay, Conv: "bot1", Actor: domain.Fin, Text: long})
	apply(domain.Event{Kind: domain.EvAsk, Conv: "bot1"})
	apply(domain.Event{Kind: domain.EvRate, Conv: "bot1", Actor: domain.Lead("zoe"), Value: 4})
}

// Each endpoint's answer is pinned byte for byte (indented for reading):
// renaming a Go field or turning a word into a number fails here, not in a
// client. Run with -update to accept a deliberate change of the contract.
func TestAPIContract(t *testing.T) {
	hs, st := apiServer(t)
	contractStore(t, st)
	for _, tc := range []struct{ name, method, path string }{
		{"report", http.MethodGet, "/api/report?from=2026-03-01&to=2026-03-03"},
		{"report_empty_period", http.MethodGet, "/api/report?from=2020-01-01&to=2020-01-02"},
		{"export_ratings", http.MethodGet, "/api/export/ratings"},
		{"export_conversations", http.MethodGet, "/api/export/conversations"},
		{"state", http.MethodGet, "/api/state"},
		{"check", http.MethodPost, "/api/check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, hs.URL+tc.path, nil)
			req.Header.Set("Authorization", "Bearer tok")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			if _, err := body.ReadFrom(resp.Body); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %v %s", tc.path, resp.StatusCode, err, body.String())
			}
			var got bytes.Buffer
			if err := json.Indent(&got, body.Bytes(), "", "  "); err != nil {
				t.Fatalf("%s is not JSON: %v\n%s", tc.path, err, body.String())
			}
			golden := filepath.Join("testdata", "api", tc.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s answered\n%s\nwant (%s)\n%s", tc.path, got.Bytes(), golden, want)
			}
		})
	}
}
