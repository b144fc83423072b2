package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// manyConversations is a store of n conversations, c0000 the oldest, one
// minute apart; every 100th has a customer named “needle”.
func manyConversations(t *testing.T, n int) *store.Store {
	t.Helper()
	st := emptyStore(t)
	at := testNow.Add(-time.Duration(n+10) * time.Minute)
	var evs []domain.Event
	for i := 0; i < n; i++ {
		cust := domain.User(fmt.Sprintf("cust%d", i))
		if i%100 == 0 {
			cust = domain.User(fmt.Sprintf("needle%d", i))
		}
		evs = append(evs, domain.Event{Kind: domain.EvStart, At: at, Conv: fmt.Sprintf("c%04d", i), Actor: cust})
		at = at.Add(time.Minute)
	}
	if _, err := st.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestConversationListReachesEveryItemAndSearchesTheStore(t *testing.T) {
	const n = 1500 // more than a window holds
	d := drive(t, newTestModel(t, manyConversations(t, n), "ada"), 100, 30)
	d.keys("4")
	d.contains("c1499", "conversations 1/200+")
	for i := 0; i < 2*n/28+2; i++ {
		d.keys("pgdown")
	}
	// The end of the list, reached page by page: the window moved, the count knows where.
	d.contains("c0000", "conversations 1500/1500")
	if len(d.m.views[TabConversations].(*conversations).pages.items) > windowMax {
		t.Fatal("the window holds more than windowMax items")
	}
	d.keys("home")
	d.contains("c1499", "conversations 1/200+")
	d.keys("end")
	d.contains("c0000", "conversations 1 from the end")
	d.keys("up", "up")
	d.contains("3 from the end")

	// The filter searches the whole store, not the rows read.
	d.keys("home", "/")
	d.keys(strings.Split("needle", "")...)
	d.keys("enter")
	d.contains("needle1400", "needle0", "conversations with “needle” 1/15")
	d.lacks("cust1")
	d.keys("esc")
	d.contains("c1499", "cust1499")
}
