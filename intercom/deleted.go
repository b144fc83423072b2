package intercom

import (
	"errors"
	"net/http"
	"time"

	"github.com/csat-app/csat/domain"
)

// Deletions. Intercom's *.deleted topics send only the deleted object's
// ids, not the object: {"type":"conversation","id":"512","deleted":true}
// and {"type":"contact","id":"…","external_id":…,"deleted":true}. csat
// then forgets that conversation's, or that contact's, text (the sink
// erases; see [Forgetter]); ratings and counts stay.
var deletionTopics = map[string]string{
	"conversation.deleted": "conversation",
	"contact.deleted":      "contact",
}

// Forgetter is a sink that can erase text for good (the store).
type Forgetter interface {
	Forget(e domain.Erasure) (domain.Erased, error)
}

// ErrCannotForget says the sink cannot erase.
var ErrCannotForget = errors.New("this sink cannot erase text")

// Forget erases under the ingester's lock, so no ingest plans against the
// store while it is replaced. key is the notification's idempotency key:
// a redelivery that waited for the first delivery's erasure finds it done
// (dup true) instead of erasing again.
func (in *Ingester) Forget(e domain.Erasure, key string) (done domain.Erased, dup bool, err error) {
	f, ok := in.sink.(Forgetter)
	if !ok {
		return done, false, ErrCannotForget
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if seen, err := in.sink.Marked(markSource, key); err != nil || seen {
		return done, seen, err
	}
	e.Extra = append(e.Extra, domain.MarkEvent(markSource, []string{key}, time.Time{}))
	done, err = f.Forget(e)
	return done, false, err
}

// deletedItem is data.item of a deletion notification.
type deletedItem struct {
	Type string `json:"type"`
	ID   FlexID `json:"id"`
}

// ingestDeletion handles a verified, new deletion notification.
func (h *Webhook) ingestDeletion(n *Notification, kind, key string) (Answer, int) {
	var item deletedItem
	if err := decode(n.Data.Item, &item); err != nil {
		return Answer{Status: "error", Error: "in data.item: " + err.Error()}, http.StatusBadRequest
	}
	if item.ID == "" {
		return Answer{Status: "error", Error: "field data.item.id: missing"}, http.StatusBadRequest
	}
	id := Sanitize(string(item.ID)) // as the mapping names contacts and conversations
	e := domain.Erasure{By: "intercom " + n.Topic + " " + n.ID}
	if kind == "conversation" {
		e.Conversation = id
	} else {
		e.Customer = id // user:<id> and lead:<id> alike
	}
	done, dup, err := h.Ingester.Forget(e, key)
	switch {
	case dup:
		return Answer{Status: "duplicate"}, http.StatusOK
	case errors.Is(err, domain.ErrUnknownConversation), errors.Is(err, domain.ErrUnknownCustomer):
		return Answer{Status: "ignored"}, http.StatusOK // nothing of it was ever stored
	case errors.Is(err, ErrCannotForget):
		h.logf("webhook %s (%s): %v", n.ID, n.Topic, err)
		return Answer{Status: "ignored", Error: err.Error()}, http.StatusOK
	case err != nil:
		h.logf("webhook %s (%s): %v", n.ID, n.Topic, err)
		// 500 makes Intercom retry; nothing was erased.
		return Answer{Status: "error", Error: "could not erase: " + err.Error()}, http.StatusInternalServerError
	}
	return Answer{Status: "ok", Erased: done.Events}, http.StatusOK
}

func (h *Webhook) logf(format string, args ...any) {
	if h.Logf != nil {
		h.Logf(format, args...)
	}
}
