package serve

import (
	"bytes"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"testing"

	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/store"
)

// TestHealthzCountsNotifications: /healthz reports how many notifications
// were accepted, duplicate, skipped and rejected.
func TestHealthzCountsNotifications(t *testing.T) {
	hs, _ := apiServer(t)
	secret := []byte("s3cret")
	postSigned := func(body []byte, sig string) int {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/webhooks/intercom", bytes.NewReader(body))
		req.Header.Set("X-Hub-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	rating, err := os.ReadFile("../intercom/testdata/notification_rating.json")
	if err != nil {
		t.Fatal(err)
	}
	skip := []byte(`{"type":"notification_event","id":"n-skip","topic":"conversation.user.replied","data":{"item":{"id":"1","created_at":"soon"}}}`)
	for _, c := range []struct {
		body []byte
		sig  string
		code int
	}{
		{rating, intercom.Sign(secret, rating), 200},
		{rating, intercom.Sign(secret, rating), 200},
		{skip, intercom.Sign(secret, skip), 200},
		{rating, intercom.Sign([]byte("wrong"), rating), 401},
		{[]byte("{"), intercom.Sign(secret, []byte("{")), 400},
	} {
		if code := postSigned(c.body, c.sig); code != c.code {
			t.Fatalf("webhook: %d, want %d", code, c.code)
		}
	}
	code, body := get(t, hs.URL+"/healthz", "")
	var h struct {
		Notifications intercom.WebhookCounts `json:"notifications"`
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil || code != 200 {
		t.Fatalf("healthz: %d %s %v", code, body, err)
	}
	if n := h.Notifications; n.Accepted != 1 || n.Duplicate != 1 || n.Skipped != 1 || n.Rejected != 2 {
		t.Fatalf("healthz counts %+v: %s", n, body)
	}
}

// TestBearerSchemeInAnyCase: the API token's scheme is case-insensitive.
func TestBearerSchemeInAnyCase(t *testing.T) {
	hs, _ := apiServer(t)
	for _, c := range []struct {
		header string
		code   int
	}{{"Bearer tok", 200}, {"bearer tok", 200}, {"BEARER  tok ", 200}, {"Basic tok", 401}, {"Bearer", 401}, {"tok", 401}, {"Bearer tok2", 401}} {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/state", nil)
		req.Header.Set("Authorization", c.header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("Authorization %q: %d, want %d", c.header, resp.StatusCode, c.code)
		}
	}
}

// TestLogLinesAreSafe: whatever a log line quotes, the server's log gets
// one line per entry with nothing a terminal tailing it would obey.
func TestLogLinesAreSafe(t *testing.T) {
	var buf bytes.Buffer
	st := memoryStore(t)
	u, _ := ParseUsers("users", []byte("ann admin "+keyA+"\n"))
	srv, err := New(Config{Store: st, DataDir: t.TempDir(), Users: u, WebhookSecret: []byte("s"), APIToken: "tok", Logger: log.New(&buf, "csat serve: ", 0)})
	if err != nil {
		t.Fatal(err)
	}
	srv.logf("webhook %s: %v", "n1\x1b]0;pwned\x07", "stored\nfake: entry \u202e")
	if got, want := buf.String(), "csat serve: webhook n1: stored⏎fake: entry \n"; got != want {
		t.Fatalf("log %q, want %q", got, want)
	}
}

func memoryStore(t *testing.T) *store.Store {
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
