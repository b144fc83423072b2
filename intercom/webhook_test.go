package intercom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

var secret = []byte("s3cret")

func newWebhook(t *testing.T, sink *memSink) *httptest.Server {
	t.Helper()
	in, err := NewIngester(sink)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&Webhook{Ingester: in, Secret: secret})
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url string, body []byte, sig string) (int, Answer) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if sig != "" {
		req.Header.Set("X-Hub-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a Answer
	_ = json.NewDecoder(resp.Body).Decode(&a)
	return resp.StatusCode, a
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhookRefusesUnsignedAndTamperedWritingNothing(t *testing.T) {
	sink := newMemSink()
	srv := newWebhook(t, sink)
	body := fixture(t, "notification_rating.json")
	tampered := bytes.Replace(body, []byte(`"rating": 5`), []byte(`"rating": 1`), 1)
	if bytes.Equal(tampered, body) {
		t.Fatal("fixture did not change")
	}
	cases := []struct{ name, sig string }{
		{"unsigned", ""},
		{"wrong secret", Sign([]byte("other"), body)},
		{"not sha1=", strings.TrimPrefix(Sign(secret, body), "sha1=")},
		{"tampered", Sign(secret, body)},
	}
	for _, tc := range cases {
		b := body
		if tc.name == "tampered" {
			b = tampered
		}
		if code, a := post(t, srv.URL, b, tc.sig); code != http.StatusUnauthorized {
			t.Errorf("%s: %d %+v, want 401", tc.name, code, a)
		}
	}
	if len(sink.log) != 0 {
		t.Fatalf("refused notifications wrote %d events", len(sink.log))
	}
}

func TestWebhookSignedRatingIsStoredOnceAcrossRedeliveryAndRestart(t *testing.T) {
	sink := newMemSink()
	srv := newWebhook(t, sink)
	body := fixture(t, "notification_rating.json")
	code, a := post(t, srv.URL, body, Sign(secret, body))
	if code != http.StatusOK || a.Status != "ok" || a.Applied == 0 {
		t.Fatalf("signed: %d %+v", code, a)
	}
	bob := domain.Teammate("991267390")
	if c := sink.tally.Agent(bob); c.ByValue[5] != 1 {
		t.Fatalf("counts %+v, want the 5", c)
	}
	n := len(sink.log)
	if code, a := post(t, srv.URL, body, Sign(secret, body)); code != http.StatusOK || a.Status != "duplicate" {
		t.Fatalf("redelivery: %d %+v", code, a)
	}
	// A new process reads the seen-set back from the log.
	srv2 := newWebhook(t, sink)
	if code, a := post(t, srv2.URL, body, Sign(secret, body)); code != http.StatusOK || a.Status != "duplicate" {
		t.Fatalf("redelivery after restart: %d %+v", code, a)
	}
	// The same conversation under a new notification id adds nothing either.
	again := bytes.Replace(body, []byte("notif_ccd8a4d0"), []byte("notif_ffffffff"), 1)
	if code, a := post(t, srv2.URL, again, Sign(secret, again)); code != http.StatusOK || a.Applied != 0 {
		t.Fatalf("same parts, new id: %d %+v", code, a)
	}
	if c := sink.tally.Agent(bob); c.ByValue[5] != 1 || c.Rated() != 1 {
		t.Fatalf("counts %+v after redeliveries", c)
	}
	if len(sink.log) != n+1 { // only the new id's bookkeeping
		t.Fatalf("log grew from %d to %d", n, len(sink.log))
	}
}

func TestWebhookOversizedMalformedAndIgnored(t *testing.T) {
	sink := newMemSink()
	srv := newWebhook(t, sink)
	big := bytes.Repeat([]byte(" "), MaxBody+1)
	if code, _ := post(t, srv.URL, big, Sign(secret, big)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d, want 413", code)
	}
	cases := []struct{ body, field string }{
		{`{"type":"notification_event","topic":"conversation.user.replied"}`, "field id"},
		{`{"type":"ping","id":"n3","topic":"x"}`, "field type"},
		{`{"type":"notification_event","id":"n4","topic":"conversation.user.replied","data":{}}`, "data.item"},
		{`{"type":"notification_event","id":7}`, "field id"},
		{`{"type":`, "malformed JSON"},
	}
	for _, tc := range cases {
		b := []byte(tc.body)
		code, a := post(t, srv.URL, b, Sign(secret, b))
		if code != http.StatusBadRequest || !strings.Contains(a.Error, tc.field) {
			t.Errorf("%s: %d %q, want 400 naming %q", tc.body, code, a.Error, tc.field)
		}
	}
	ign := fixture(t, "notification_ignored.json")
	if code, a := post(t, srv.URL, ign, Sign(secret, ign)); code != http.StatusOK || a.Status != "ignored" {
		t.Errorf("ignored topic: %d %+v", code, a)
	}
	if len(sink.log) != 0 {
		t.Fatalf("wrote %d events", len(sink.log))
	}
}

// FuzzWebhookIngest: any verified body is answered 400 naming the field or
// 200 with a status that is not an error (never 5xx: the sink cannot
// fail), and a notification answered "ok" is marked as seen.
func FuzzWebhookIngest(f *testing.F) {
	body, err := os.ReadFile("testdata/notification_rating.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add([]byte(`{"type":"notification_event","id":"x","topic":"conversation.user.created","data":{"item":{}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := NewIngester(newMemSink())
		if err != nil {
			t.Fatal(err)
		}
		h := &Webhook{Ingester: in, Secret: secret}
		a, code := h.Ingest(b)
		switch {
		case code == http.StatusBadRequest:
			if a.Status != "error" || !strings.HasPrefix(a.Error, "field ") && !strings.HasPrefix(a.Error, "malformed JSON") && !strings.HasPrefix(a.Error, "in data.item: ") {
				t.Fatalf("400 that names no field: %+v", a)
			}
		case code != http.StatusOK:
			// The sink never fails, so nothing is Intercom's to retry.
			t.Fatalf("%d on a sink that cannot fail: %+v", code, a)
		case a.Status == "ok":
			var n Notification
			if err := json.Unmarshal(b, &n); err != nil {
				t.Fatalf("ok for a body that does not decode: %v", err)
			}
			if seen, _ := in.Seen("notif/" + n.ID); !seen {
				t.Fatalf("ok, but %s is not marked as seen", n.ID)
			}
		case a.Status != "duplicate" && a.Status != "ignored" && a.Status != "skipped":
			t.Fatalf("200 with status %q: %+v", a.Status, a)
		}
	})
}

func TestConcurrentNotificationsAreEachStoredOnce(t *testing.T) {
	sink := newMemSink()
	srv := newWebhook(t, sink)
	tmpl := fixture(t, "notification_rating.json")
	const n = 40
	done := make(chan error, 2*n)
	for i := 0; i < 2*n; i++ {
		go func(i int) {
			// Every notification is sent twice, concurrently.
			id := i % n
			body := bytes.ReplaceAll(tmpl, []byte(`"1295"`), []byte(`"c`+strconv.Itoa(id)+`"`))
			body = bytes.Replace(body, []byte("notif_ccd8a4d0"), []byte("notif_"+strconv.Itoa(id)), 1)
			code, a := post(t, srv.URL, body, Sign(secret, body))
			if code != http.StatusOK || (a.Status != "ok" && a.Status != "duplicate") {
				done <- fmt.Errorf("%d: %d %+v", i, code, a)
				return
			}
			done <- nil
		}(i)
	}
	for i := 0; i < 2*n; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if c := sink.tally.Agent(domain.Teammate("991267390")); c.ByValue[5] != n || c.Surveys != n {
		t.Fatalf("counts %+v, want %d ratings and surveys", c, n)
	}
	if len(sink.ws.Conversations) != n {
		t.Fatalf("%d conversations, want %d", len(sink.ws.Conversations), n)
	}
}

// notification wraps a conversation item as a webhook notification.
func notification(id, item string) []byte {
	return []byte(fmt.Sprintf(`{"type":"notification_event","id":%q,"topic":"conversation.admin.replied","data":{"type":"notification_event_data","item":%s}}`, id, item))
}

// withParts keeps only the listed parts (1: the reply, 2: the close) of an
// oldConversation, as a notification carries only the new part.
func withParts(conv string, keep ...int) string {
	var item Conversation
	if err := json.Unmarshal([]byte(conv), &item); err != nil {
		panic(err)
	}
	all := item.Parts.Parts
	item.Parts.Parts = nil
	for _, k := range keep {
		item.Parts.Parts = append(item.Parts.Parts, all[k-1])
	}
	b, err := json.Marshal(item)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestWebhookSkipsATimeInTheFutureAndMovesNothing(t *testing.T) {
	sink := newMemSink()
	in, err := NewIngester(sink)
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	clock := time.Date(2025, 4, 1, 10, 5, 0, 0, time.UTC) // the close, days later, is ahead of it
	h := &Webhook{Ingester: in, Secret: secret, Clock: func() time.Time { return clock },
		Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }}
	a, code := h.Ingest(notification("notif_future", oldConversation("f1", 3*24*time.Hour)))
	if code != http.StatusOK || a.Status != "skipped" || len(a.Skipped) != 1 || !strings.Contains(a.Skipped[0].Reason, "after the receiving clock") {
		t.Fatalf("answer %d %+v", code, a)
	}
	if len(sink.log) != 0 || len(logged) != 1 || !strings.Contains(logged[0], "notif_future") {
		t.Fatalf("%d events written; logged %q", len(sink.log), logged)
	}
	if seen, _ := in.Seen("notif/notif_future"); seen {
		t.Fatal("a refused notification was marked as seen")
	}
	// Once the receiving clock has passed it, the same notification applies.
	clock = clock.Add(5 * 24 * time.Hour)
	if a, code := h.Ingest(notification("notif_future", oldConversation("f1", 3*24*time.Hour))); code != http.StatusOK || a.Status != "ok" {
		t.Fatalf("later: %d %+v", code, a)
	}
}

// A teammate's reply delivered after the close it came before is placed
// at its time: the close, skipped for want of a reply when it arrived, is
// decided again and sends, when the rules decide (Intercom's own sends
// arrive as observations, so the replay clears the helpdesk).
func TestWebhookPlacesALatePart(t *testing.T) {
	sink := newMemSink()
	srv := newWebhook(t, sink)
	conv := oldConversation("late1", time.Hour)
	for i, body := range [][]byte{
		notification("n_close", withParts(conv, 2)),
		notification("n_reply", withParts(conv, 1)),
	} {
		if code, a := post(t, srv.URL, body, Sign(secret, body)); code != http.StatusOK || a.Status != "ok" || a.Applied == 0 {
			t.Fatalf("notification %d: %d %+v", i, code, a)
		}
		var evs []domain.Event // the conversation's parts in time order, as the store keeps them
		for _, ev := range sink.log {
			if ev.Conv == "late1" {
				evs = append(evs, ev)
			}
		}
		sort.SliceStable(evs, func(a, b int) bool { return evs[a].At.Before(evs[b].At) })
		w := domain.NewWorkspace()
		for _, ev := range evs {
			if ev.Kind == domain.EvStart {
				ev.By = ""
			}
			if _, err := w.Apply(ev); err != nil {
				t.Fatalf("after notification %d: the log does not replay: %v", i, err)
			}
		}
		if sent := w.Conversations["late1"].Slot(domain.Teammate("77")) != nil; sent != (i == 1) {
			t.Fatalf("after notification %d: survey sent %v", i, sent)
		}
	}
	if c := sink.ws.Conversations["late1"]; c.Helpdesk == "" || c.Slot(domain.Teammate("77")) != nil {
		t.Fatalf("the rules sent in a conversation Intercom decides: %+v", c.Slots)
	}
}

// A rating redelivered out of order (a retry carrying the older value)
// is placed at its updated_at, before the newer one: the stored rating and
// the counters keep the newer value.
func TestWebhookOlderRatingChangesNothing(t *testing.T) {
	sink := newMemSink()
	srv := newWebhook(t, sink)
	newer := fixture(t, "notification_rating.json")
	older := bytes.Replace(newer, []byte(`"rating": 5,`), []byte(`"rating": 2,`), 1)
	older = bytes.Replace(older, []byte(`"updated_at": 1772443200,`), []byte(`"updated_at": 1772442900,`), 1)
	older = bytes.Replace(older, []byte("notif_ccd8a4d0"), []byte("notif_retry"), 1)
	for i, body := range [][]byte{newer, older} {
		if code, a := post(t, srv.URL, body, Sign(secret, body)); code != http.StatusOK || a.Status != "ok" {
			t.Fatalf("notification %d: %d %+v", i, code, a)
		}
	}
	ciaran := domain.Teammate("991267390")
	if s := sink.ws.Conversations["1295"].Slot(ciaran); s == nil || s.Value != 5 {
		t.Fatalf("slot %+v, want the newer rating 5", s)
	}
	if c := sink.tally.Agent(ciaran); c.ByValue[5] != 1 || c.ByValue[2] != 0 || c.Surveys != 1 {
		t.Fatalf("counts %+v", c)
	}
}
