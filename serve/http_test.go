package serve

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/store"
)

func apiServer(t *testing.T) (*httptest.Server, *store.Store) {
	t.Helper()
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, _ := ParseUsers("users", []byte("ann admin "+keyA+"\n"))
	srv, err := New(Config{Store: st, DataDir: t.TempDir(), Users: u, WebhookSecret: []byte("s3cret"), APIToken: "tok", Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	srv.now = func() time.Time { return apiNow } // the contract's goldens hold it
	hs := httptest.NewServer(srv.handler())
	t.Cleanup(hs.Close)
	return hs, st
}

// apiNow is the test server's clock, after the contract store's data.
var apiNow = time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPIRequiresTheToken(t *testing.T) {
	hs, _ := apiServer(t)
	for _, path := range []string{"/api/report", "/api/export/ratings", "/api/export/conversations", "/api/state"} {
		for _, tok := range []string{"", "wrong"} {
			if code, _ := get(t, hs.URL+path, tok); code != http.StatusUnauthorized {
				t.Errorf("%s with token %q: %d, want 401", path, tok, code)
			}
		}
	}
	if code, body := get(t, hs.URL+"/healthz", ""); code != http.StatusOK || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("healthz: %d %s", code, body)
	}
}

func TestAPIServesWhatTheWebhookStored(t *testing.T) {
	hs, _ := apiServer(t)
	body, err := os.ReadFile("../intercom/testdata/notification_rating.json")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/webhooks/intercom", strings.NewReader(string(body)))
	req.Header.Set("X-Hub-Signature", intercom.Sign([]byte("s3cret"), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %v %v", err, resp)
	}
	resp.Body.Close()

	code, out := get(t, hs.URL+"/api/report?period=all", "tok")
	var lb report.Leaderboard
	if code != http.StatusOK || json.Unmarshal([]byte(out), &lb) != nil || len(lb.Teammates) != 1 || lb.Teammates[0].Faces.Amazing != 1 {
		t.Fatalf("report: %d %s", code, out)
	}
	code, out = get(t, hs.URL+"/api/export/ratings", "tok")
	var rows []report.RatingRow
	if code != http.StatusOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0].Agent != "991267390" || rows[0].AgentName != "Ciaran Lee" || rows[0].Value == nil || *rows[0].Value != 5 {
		t.Fatalf("export: %d %s", code, out)
	}
	for _, q := range []string{"period=fortnight", "from=2026-13-01&to=2026-03-01", "from=2026-03-05&to=2026-03-01"} {
		if code, out := get(t, hs.URL+"/api/report?"+q, "tok"); code != http.StatusBadRequest {
			t.Errorf("report?%s: %d %s, want 400", q, code, out)
		}
	}
	req, _ = http.NewRequest(http.MethodPost, hs.URL+"/api/check", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ca report.CheckAnswer
	if json.NewDecoder(resp.Body).Decode(&ca) != nil || resp.StatusCode != http.StatusOK || len(ca.Differences) != 0 || ca.Seq == 0 {
		t.Fatalf("check: %d %+v", resp.StatusCode, ca)
	}
	resp.Body.Close()
}
