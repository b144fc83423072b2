package intercom

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
)

// WebhookCounts are the notifications a Webhook answered since it started,
// by answer: accepted (stored), duplicate (stored before), ignored (a topic
// without ratings), skipped (signed but not mappable: 200 and a log line),
// rejected (401, 400 or 413, each logged) and failed (500: the store failed).
type WebhookCounts struct {
	Accepted  int64 `json:"accepted"`
	Duplicate int64 `json:"duplicate"`
	Ignored   int64 `json:"ignored"`
	Skipped   int64 `json:"skipped"`
	Rejected  int64 `json:"rejected"`
	Failed    int64 `json:"failed"`
}

type webhookCounts struct {
	accepted, duplicate, ignored, skipped, rejected, failed atomic.Int64
}

// Counts returns the notifications answered so far.
func (h *Webhook) Counts() WebhookCounts {
	c := &h.counts
	return WebhookCounts{Accepted: c.accepted.Load(), Duplicate: c.duplicate.Load(), Ignored: c.ignored.Load(),
		Skipped: c.skipped.Load(), Rejected: c.rejected.Load(), Failed: c.failed.Load()}
}

// finish counts and answers one notification, and logs a rejected or a
// skipped one: the reason, where it came from and its id when the body
// says, never the body or the secret. body is nil when it was not read.
func (h *Webhook) finish(w http.ResponseWriter, r *http.Request, body []byte, code int, a Answer) {
	c := &h.counts
	switch {
	case code >= 500:
		c.failed.Add(1) // Ingest logged the store's error
	case code >= 400:
		c.rejected.Add(1)
		h.logf("webhook rejected with %d from %s%s: %s", code, r.RemoteAddr, notificationID(body), a.Error)
	case a.Status == "duplicate":
		c.duplicate.Add(1)
	case a.Status == "ignored":
		c.ignored.Add(1)
	case a.Status == "skipped":
		c.skipped.Add(1)
		h.logf("webhook skipped from %s%s: %s", r.RemoteAddr, notificationID(body), a.Reason)
	default:
		c.accepted.Add(1)
	}
	reply(w, code, a)
}

// notificationID is ", notification "ID"" when body is JSON with a string
// id, else nothing: a rejected body may be anything, even unsigned.
func notificationID(body []byte) string {
	var n struct {
		ID any `json:"id"`
	}
	if len(body) == 0 || json.Unmarshal(body, &n) != nil {
		return ""
	}
	id, ok := n.ID.(string)
	if !ok || id == "" {
		return ""
	}
	if len(id) > 80 {
		id = id[:80] + "…"
	}
	return fmt.Sprintf(", notification %q", id)
}
