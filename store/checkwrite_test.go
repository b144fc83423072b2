package store

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// TestCheckWhileWriting: Check compares one snapshot's log and state, so
// writes committed meanwhile (webhooks while csat check runs against
// serve) neither wait for it nor show up as differences.
func TestCheckWhileWriting(t *testing.T) {
	s := openDir(t, t.TempDir())
	defer s.Close()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	conv := func(i int) []domain.Event {
		id, at := "c"+strconv.Itoa(i), start.Add(time.Duration(i)*time.Minute)
		cust := domain.User("u" + id)
		return []domain.Event{
			{Kind: domain.EvStart, Conv: id, Actor: cust, At: at},
			{Kind: domain.EvSay, Conv: id, Actor: cust, Text: strings.Repeat("words ", 60), At: at},
			{Kind: domain.EvSay, Conv: id, Actor: domain.Teammate("bob"), Text: "ok", At: at},
			{Kind: domain.EvClose, Conv: id, Actor: domain.Teammate("bob"), At: at},
			{Kind: domain.EvRate, Conv: id, Actor: cust, Value: 1 + i%5, At: at},
		}
	}
	for i := 0; i < 50; i++ {
		if _, err := s.ApplyBatch(conv(i)); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		for i := 50; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := s.ApplyBatch(conv(i)); err != nil {
				done <- err
				return
			}
		}
	}()
	for range 5 {
		diffs, err := s.Check(simulate.ReplayInto)
		if err != nil || len(diffs) > 0 {
			close(stop)
			t.Fatalf("check while writing: %v %v", diffs, err)
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
