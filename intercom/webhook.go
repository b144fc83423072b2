package intercom

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// MaxBody is the largest notification accepted; larger ones get 413.
const MaxBody = 1 << 20

// Topics lists the webhook topics that carry rating-relevant changes (and
// the assignments, which carry the conversation's team). Every
// one of them delivers the whole conversation as data.item; the mapping
// reads its parts and rating, and the keys make a part count once however
// many notifications repeat it. Other topics are acknowledged and ignored.
var Topics = map[string]bool{
	"conversation.user.created":         true,
	"conversation.user.replied":         true,
	"conversation.admin.replied":        true,
	"conversation.admin.single.created": true,
	"conversation.admin.noted":          true,
	"conversation.operator.replied":     true,
	"conversation.admin.closed":         true,
	"conversation.admin.snoozed":        true,
	"conversation.admin.unsnoozed":      true,
	"conversation.admin.opened":         true,
	"conversation.admin.assigned":       true,
	"conversation.admin.open.assigned":  true,
	"conversation.rating.added":         true,
}

// Sign returns the X-Hub-Signature value of body: sha1=<hex HMAC-SHA1>.
func Sign(secret, body []byte) string {
	m := hmac.New(sha1.New, secret)
	m.Write(body)
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks an X-Hub-Signature header in constant time.
func Verify(secret, body []byte, header string) bool {
	if len(secret) == 0 {
		return false
	}
	got, ok := strings.CutPrefix(strings.TrimSpace(header), "sha1=")
	if !ok {
		return false
	}
	sum, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	m := hmac.New(sha1.New, secret)
	m.Write(body)
	return hmac.Equal(sum, m.Sum(nil))
}

// Webhook is the POST /webhooks/intercom handler.
type Webhook struct {
	Ingester *Ingester
	Secret   []byte
	// Logf, when set, reports failed writes (the store's error, not the
	// caller's), every rejected notification and every skipped one (a
	// time in the future among them).
	Logf func(format string, args ...any)
	// Clock is the receiving machine's clock, against which a time too far
	// ahead is refused; nil means the wall clock.
	Clock func() time.Time

	counts webhookCounts
}

// Answer is the JSON body of every webhook response.
type Answer struct {
	Status  string `json:"status"` // ok, duplicate, ignored, skipped, error
	Error   string `json:"error,omitempty"`
	Reason  string `json:"reason,omitempty"` // why a notification was skipped
	Applied int    `json:"applied,omitempty"`
	Already int    `json:"already,omitempty"`
	Skipped []Skip `json:"skipped,omitempty"`
}

func reply(w http.ResponseWriter, code int, a Answer) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(a)
}

// ServeHTTP verifies, decodes, maps and ingests one notification. Nothing is
// written unless the signature holds and the whole payload maps.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, Answer{Status: "error", Error: "use POST"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.finish(w, r, nil, http.StatusRequestEntityTooLarge, Answer{Status: "error", Error: fmt.Sprintf("body over %d bytes", MaxBody)})
			return
		}
		h.finish(w, r, nil, http.StatusBadRequest, Answer{Status: "error", Error: "reading body: " + err.Error()})
		return
	}
	sig := r.Header.Get("X-Hub-Signature")
	if sig == "" {
		h.finish(w, r, body, http.StatusUnauthorized, Answer{Status: "error", Error: "missing X-Hub-Signature"})
		return
	}
	if !Verify(h.Secret, body, sig) {
		h.finish(w, r, body, http.StatusUnauthorized, Answer{Status: "error", Error: "X-Hub-Signature does not match the body"})
		return
	}
	a, code := h.Ingest(body)
	h.finish(w, r, body, code, a)
}

// Ingest handles a verified notification body and returns the answer and
// HTTP status: 400 naming the field for a malformed one, 200 otherwise.
func (h *Webhook) Ingest(body []byte) (Answer, int) {
	var n Notification
	if err := decode(body, &n); err != nil {
		return Answer{Status: "error", Error: err.Error()}, http.StatusBadRequest
	}
	switch {
	case n.Type != "notification_event":
		return Answer{Status: "error", Error: fmt.Sprintf("field type: %q, want notification_event", n.Type)}, http.StatusBadRequest
	case n.ID == "":
		return Answer{Status: "error", Error: "field id: missing"}, http.StatusBadRequest
	case strings.ContainsAny(n.ID, " \t\r\n"):
		return Answer{Status: "error", Error: fmt.Sprintf("field id: %q has spaces", n.ID)}, http.StatusBadRequest
	case n.Topic == "":
		return Answer{Status: "error", Error: "field topic: missing"}, http.StatusBadRequest
	case !Topics[n.Topic] && deletionTopics[n.Topic] == "":
		return Answer{Status: "ignored"}, http.StatusOK
	}
	key := "notif/" + n.ID
	seen, err := h.Ingester.Seen(key)
	if err != nil {
		if h.Logf != nil {
			h.Logf("webhook %s (%s): %v", n.ID, n.Topic, err)
		}
		return Answer{Status: "error", Error: "could not read the Intercom bookkeeping: " + err.Error()}, http.StatusInternalServerError
	}
	if seen {
		return Answer{Status: "duplicate"}, http.StatusOK
	}
	if len(n.Data.Item) == 0 || string(n.Data.Item) == "null" {
		return Answer{Status: "error", Error: "field data.item: missing"}, http.StatusBadRequest
	}
	if kind := deletionTopics[n.Topic]; kind != "" {
		return h.ingestDeletion(&n, kind, key)
	}
	// A signed notification whose conversation does not map is skipped
	// with 200: an error answer would only make Intercom retry the same
	// payload, then suspend the webhook.
	var c Conversation
	if err := decode(n.Data.Item, &c); err != nil {
		return Answer{Status: "skipped", Reason: "in data.item: " + err.Error()}, http.StatusOK
	}
	plan, err := h.Ingester.Map(&c)
	if err != nil {
		return Answer{Status: "skipped", Reason: "in data.item: " + err.Error()}, http.StatusOK
	}
	clock := time.Now
	if h.Clock != nil {
		clock = h.Clock
	}
	if err := plan.Ahead(clock()); err != nil {
		// Intercom would retry a failure with the same body for days: the
		// notification is answered, logged and left out whole.
		if h.Logf != nil {
			h.Logf("webhook %s (%s): skipped: %v", n.ID, n.Topic, err)
		}
		return Answer{Status: "skipped", Skipped: []Skip{{What: "notification " + n.ID, Reason: err.Error()}}}, http.StatusOK
	}
	rep, err := h.Ingester.Apply(plan.Steps, append([]string{key}, plan.Aliases...))
	if err != nil {
		if h.Logf != nil {
			h.Logf("webhook %s (%s): %v", n.ID, n.Topic, err)
		}
		// 500 makes Intercom retry; nothing of this notification was written.
		return Answer{Status: "error", Error: "could not store the notification: " + err.Error()}, http.StatusInternalServerError
	}
	return Answer{Status: "ok", Applied: rep.Applied, Already: rep.Already, Skipped: rep.Skipped}, http.StatusOK
}
