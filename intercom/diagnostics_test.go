package intercom

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestWebhookRejectionsAreLoggedAndCounted: each 401, 400 and 413 leaves one
// log line naming the reason, the remote address and the notification id
// when the body has one, and never the secret or the body; a signed
// notification that does not map is answered 200, logged and counted as
// skipped, and writes nothing.
func TestWebhookRejectionsAreLoggedAndCounted(t *testing.T) {
	sink := newMemSink()
	in, err := NewIngester(sink)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lines []string
	wh := &Webhook{Ingester: in, Secret: secret, Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}}
	srv := httptest.NewServer(wh)
	defer srv.Close()

	const remark = "PRIVATE-REMARK-TEXT"
	signed := func(s string) ([]byte, string) { return []byte(s), Sign(secret, []byte(s)) }
	body := []byte(`{"type":"notification_event","id":"notif_bad1","topic":"conversation.rating.added","data":{"item":{"remark":"` + remark + `"}}}`)
	unmappable, unmappableSig := signed(`{"type":"notification_event","id":"notif_skip","topic":"conversation.user.replied","data":{"item":{"id":"1","created_at":1772442000,"note":"` + remark + `"}}}`)
	undecodable, undecodableSig := signed(`{"type":"notification_event","id":"notif_soon","topic":"conversation.user.replied","data":{"item":{"id":"1","created_at":"soon"}}}`)
	malformed, malformedSig := signed(`{"type":"ping","id":"notif_ping","topic":"x","secret":"` + remark + `"}`)
	big := bytes.Repeat([]byte(" "), MaxBody+1)
	for _, tc := range []struct {
		name    string
		body    []byte
		sig     string
		code    int
		status  string
		logged  []string // in the one log line; "" for no line
		counted func(WebhookCounts) int64
	}{
		{"wrong secret", body, Sign([]byte("other"), body), 401, "error", []string{"rejected with 401", `notification "notif_bad1"`, "does not match"}, func(c WebhookCounts) int64 { return c.Rejected }},
		{"no signature", body, "", 401, "error", []string{"rejected with 401", `notification "notif_bad1"`, "missing X-Hub-Signature"}, func(c WebhookCounts) int64 { return c.Rejected }},
		{"not JSON", []byte("{"), Sign(secret, []byte("{")), 400, "error", []string{"rejected with 400", "malformed JSON"}, func(c WebhookCounts) int64 { return c.Rejected }},
		{"not a notification", malformed, malformedSig, 400, "error", []string{"rejected with 400", `notification "notif_ping"`, "field type"}, func(c WebhookCounts) int64 { return c.Rejected }},
		{"too big", big, Sign(secret, big), 413, "error", []string{"rejected with 413", "body over"}, func(c WebhookCounts) int64 { return c.Rejected }},
		{"does not map", unmappable, unmappableSig, 200, "skipped", []string{"skipped from", `notification "notif_skip"`, "contacts"}, func(c WebhookCounts) int64 { return c.Skipped }},
		{"does not decode", undecodable, undecodableSig, 200, "skipped", []string{"skipped from", `notification "notif_soon"`, "created_at"}, func(c WebhookCounts) int64 { return c.Skipped }},
	} {
		before := tc.counted(wh.Counts())
		mu.Lock()
		n := len(lines)
		mu.Unlock()
		code, a := post(t, srv.URL, tc.body, tc.sig)
		if code != tc.code || a.Status != tc.status {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, code, a, tc.code, tc.status)
		}
		if got := tc.counted(wh.Counts()); got != before+1 {
			t.Errorf("%s: counted %d, want %d", tc.name, got, before+1)
		}
		mu.Lock()
		got := lines[n:]
		mu.Unlock()
		if len(got) != 1 {
			t.Errorf("%s: %d log lines, want 1: %q", tc.name, len(got), got)
			continue
		}
		for _, want := range append(tc.logged, "127.0.0.1:") {
			if !strings.Contains(got[0], want) {
				t.Errorf("%s: log line %q lacks %q", tc.name, got[0], want)
			}
		}
		if strings.Contains(got[0], remark) || strings.Contains(got[0], string(secret)) {
			t.Errorf("%s: log line %q holds the body or the secret", tc.name, got[0])
		}
	}
	if len(sink.log) != 0 {
		t.Fatalf("wrote %d events", len(sink.log))
	}
	ok := fixture(t, "notification_rating.json")
	post(t, srv.URL, ok, Sign(secret, ok))
	post(t, srv.URL, ok, Sign(secret, ok))
	if c := wh.Counts(); c.Accepted != 1 || c.Duplicate != 1 || c.Rejected != 5 || c.Skipped != 2 {
		t.Fatalf("counts %+v", c)
	}
	if code, _ := post(t, srv.URL, ok, ""); code != http.StatusUnauthorized {
		t.Fatalf("unsigned: %d", code)
	}
}
