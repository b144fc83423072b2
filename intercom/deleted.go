package intercom

import (
	"errors"
	"net/http"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// Deletions. Intercom's *.deleted topics send only the deleted object's
// ids, not the object: {"type":"conversation","id":"512","deleted":true}
// and {"type":"contact","id":"…","external_id":…,"deleted":true}. csat
// then forgets that conversation's, or that contact's, text (the sink
// erases; see [Eraser]); ratings and counts stay. The answer comes once
// the request is recorded; the erasure follows in the background.
var deletionTopics = map[string]string{
	"conversation.deleted": "conversation",
	"contact.deleted":      "contact",
}

// Eraser is a sink that can erase text for good (the store): a request
// is recorded at once (AskErasure) and carried out later, several
// together (ForgetAsked), since a rebuild can outlast Intercom's patience.
type Eraser interface {
	AskErasure(e domain.Erasure) error
	ForgetAsked(replay store.LogReplay) ([]domain.Erased, error)
}

// ErrCannotForget says the sink cannot erase.
var ErrCannotForget = errors.New("this sink cannot erase text")

// AskForget records an erasure Intercom asked for, with the notification's
// key marked in the same batch, and starts carrying it out in the
// background (EraseInBackground). A redelivery finds the key and is a
// duplicate.
func (in *Ingester) AskForget(e domain.Erasure, key string) (dup bool, err error) {
	f, ok := in.sink.(Eraser)
	if !ok {
		return false, ErrCannotForget
	}
	in.mu.Lock()
	seen, err := in.sink.Marked(markSource, key)
	if err == nil && !seen {
		e.Extra = append(e.Extra, domain.MarkEvent(markSource, []string{key}, time.Time{}))
		err = f.AskErasure(e)
	}
	in.mu.Unlock()
	if err != nil || seen {
		return seen, err
	}
	in.EraseInBackground()
	return false, nil
}

// EraseInBackground carries out, in a goroutine, the erasures asked and not
// done yet: one rebuild for all that are waiting, under the ingester's lock
// (ingests wait meanwhile, webhooks answer once it is done), again while
// more arrive. A failure is logged and left for the next call: csat serve
// calls it at start, for what a stopped server had accepted. Wait waits
// for it.
func (in *Ingester) EraseInBackground() {
	f, ok := in.sink.(Eraser)
	if !ok {
		return
	}
	in.emu.Lock()
	defer in.emu.Unlock()
	if in.erasing {
		in.eraseAgain = true
		return
	}
	in.erasing = true
	in.erasers.Add(1)
	go func() {
		defer in.erasers.Done()
		for {
			in.mu.Lock()
			done, err := f.ForgetAsked(simulate.ReplayInto)
			in.mu.Unlock()
			if err != nil && in.Logf != nil {
				in.Logf("erasing what Intercom deleted: %v (tried again at the next deletion or start)", err)
			}
			if err == nil && len(done) > 0 && in.Logf != nil {
				in.Logf("erased what Intercom deleted: %d requests", len(done))
			}
			in.emu.Lock()
			again := in.eraseAgain && err == nil
			in.eraseAgain, in.erasing = false, again
			in.emu.Unlock()
			if !again {
				return
			}
		}
	}()
}

// Wait waits for background erasures to finish, before the sink closes.
func (in *Ingester) Wait() { in.erasers.Wait() }

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
	id := string(item.ID) // the mapping keys contacts and conversations by their ids
	if !domain.ValidName(id) {
		return Answer{Status: "ignored"}, http.StatusOK // the mapping stores no such id
	}
	e := domain.Erasure{By: "intercom " + n.Topic + " " + n.ID}
	if kind == "conversation" {
		e.Conversation = id
	} else {
		e.Customer = id // user:<id> and lead:<id> alike
	}
	dup, err := h.Ingester.AskForget(e, key)
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
		// 500 makes Intercom retry; nothing was recorded.
		return Answer{Status: "error", Error: "could not record the erasure: " + err.Error()}, http.StatusInternalServerError
	}
	return Answer{Status: "ok"}, http.StatusOK
}

func (h *Webhook) logf(format string, args ...any) {
	if h.Logf != nil {
		h.Logf(format, args...)
	}
}
