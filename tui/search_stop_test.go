package tui

import (
	"context"
	"errors"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/store"
)

// searchUntilStopped is the fixture store whose search for "rare" reads
// until its context ends, as a search for a text no conversation has
// reads a big store's whole list.
type searchUntilStopped struct {
	*store.Store
	started chan struct{}
}

func (s searchUntilStopped) SearchConversations(ctx context.Context, text string, q store.PageQuery) (store.Page[store.ConversationSummary], error) {
	if text != "rare" {
		return s.Store.SearchConversations(ctx, text, q)
	}
	close(s.started)
	<-ctx.Done()
	return store.Page[store.ConversationSummary]{}, ctx.Err()
}

// A search of the conversations that newer typing replaces stops, and so
// does one still reading when the dashboard closes: closing waits for
// the reads that run, and would wait for the whole scan.
func TestConversationSearchStopsWhenReplacedOrClosed(t *testing.T) {
	src := searchUntilStopped{Store: fixtureStore(t), started: make(chan struct{})}
	m, err := New(Options{Store: src, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, NoLive: true, Tick: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	d := drive(t, m, 100, 30)
	v := m.views[TabConversations].(*conversations)
	older := v.Search("c2")
	newer := v.Search("c21")
	if msg, ok := older().(loadedMsg); !ok || !errors.Is(msg.err, context.Canceled) {
		t.Fatalf("the replaced search: %+v, want it stopped", msg)
	}
	d.keys("4")
	d.run(newer)
	d.contains("c21")
	d.lacks("no conversation has")

	reading := v.Search("rare")
	read := make(chan tea.Msg)
	go func() { read <- reading() }()
	<-src.started
	m.Close() // returns once the search has stopped
	if msg, ok := (<-read).(loadedMsg); !ok || !errors.Is(msg.err, context.Canceled) {
		t.Fatalf("the search the close stopped: %+v", msg)
	}
}
