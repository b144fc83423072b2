package store

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// markedBatch is a mark with the events it vouches for, as the Intercom
// ingester writes them: a new conversation and its opening message.
func markedBatch(n int) []domain.Event {
	at := t0.Add(time.Duration(n) * time.Minute)
	conv := fmt.Sprintf("m%d", n)
	keys := []string{fmt.Sprintf("notif/n%d", n), "conv/" + conv, fmt.Sprintf("admin/%d=Ann%d", n, n)}
	return []domain.Event{
		domain.MarkEvent("intercom", keys, at),
		{Kind: domain.EvStart, At: at, Conv: conv, Actor: domain.User("u")},
		{Kind: domain.EvSay, At: at, Conv: conv, Actor: domain.User("u"), Text: "hello"},
	}
}

func mustMarked(t *testing.T, s *Store, source, key string, want bool) {
	t.Helper()
	got, err := s.Marked(source, key)
	if err != nil || got != want {
		t.Fatalf("Marked(%s, %s) = %v, %v; want %v", source, key, got, err, want)
	}
}

func marks(t *testing.T, s *Store, source, prefix string) []string {
	t.Helper()
	var out []string
	if err := s.Marks(source, prefix, func(k string) error { out = append(out, k); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func countMarkKeys(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		return iterate(txn, prefix(pMark), func(k, v []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMarksAreIndexedWithTheirBatchAndSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	for n := 1; n <= 2; n++ {
		if _, err := s.ApplyBatch(markedBatch(n)); err != nil {
			t.Fatal(err)
		}
	}
	// A batch the rules refuse writes neither its events nor its mark.
	bad := append(markedBatch(3), domain.Event{Kind: domain.EvSay, At: t0.Add(3 * time.Minute), Conv: "nowhere", Actor: domain.User("u"), Text: "x"})
	var ee *EventError
	if _, err := s.ApplyBatch(bad); !errors.As(err, &ee) {
		t.Fatalf("bad batch: %v", err)
	}
	check := func(s *Store) {
		t.Helper()
		mustMarked(t, s, "intercom", "notif/n1", true)
		mustMarked(t, s, "intercom", "conv/m2", true)
		mustMarked(t, s, "intercom", "notif/n3", false)
		mustMarked(t, s, "intercom", "notif/n", false) // a prefix is not a key
		mustMarked(t, s, "zendesk", "notif/n1", false)
		if got, want := marks(t, s, "intercom", "admin/"), []string{"admin/1=Ann1", "admin/2=Ann2"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("Marks(admin/) = %q, want %q", got, want)
		}
		if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
			t.Fatalf("check: %v %v", diffs, err)
		}
	}
	check(s)
	s.Close()
	s = openDir(t, dir)
	check(s)
	s.Close()
	ro, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	check(ro)
}

func TestMarksOfASplitBatchAreAllIndexed(t *testing.T) {
	s := openMem(t) // 2 MiB memtables: a transaction holds about 300 KiB
	commits := 0
	s.onEntry = func(k, _ []byte) {
		if bytes.Equal(k, keyMeta) {
			commits++
		}
	}
	var evs []domain.Event
	for n := 1; n <= 4000; n++ {
		evs = append(evs, markedBatch(n)...)
	}
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	if commits < 2 {
		t.Fatalf("the batch was not split (%d commit)", commits)
	}
	if got := countMarkKeys(t, s); got != 3*4000 {
		t.Fatalf("%d mark index keys, want %d", got, 3*4000)
	}
	mustMarked(t, s, "intercom", "notif/n4000", true)
}

func TestCheckReportsAMissingOrStrayMarkIndexKey(t *testing.T) {
	s := openMem(t)
	if _, err := s.ApplyBatch(markedBatch(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete(markKey("intercom", "notif/n1")); err != nil {
			return err
		}
		return txn.Set(markKey("intercom", "notif/forged"), []byte{})
	}); err != nil {
		t.Fatal(err)
	}
	mustMarked(t, s, "intercom", "notif/n1", false)
	diffs, err := s.Check(simulate.ReplayInto)
	if err != nil || len(diffs) != 2 {
		t.Fatalf("diffs %v, err %v", diffs, err)
	}
	got := diffs[0].String() + "\n" + diffs[1].String()
	for _, want := range []string{"mark index entry notif/forged of intercom: stored", "mark index entry notif/n1 of intercom: missing"} {
		if !strings.Contains(got, want) {
			t.Errorf("differences read\n%s\nwant %q", got, want)
		}
	}
}

// TestCheckPassesWithALargeMark: an import of a few hundred steps writes
// one mark of many keys, a value above the on-disk value threshold; the
// in-memory replay of check must hold it too.
func TestCheckPassesWithALargeMark(t *testing.T) {
	s := openDir(t, t.TempDir())
	var keys []string
	for i := 0; i < 1000; i++ {
		keys = append(keys, fmt.Sprintf("part/%d-%024d", i, i))
	}
	at := t0.Add(time.Hour)
	batch := []domain.Event{
		domain.MarkEvent("intercom", keys, at),
		{Kind: domain.EvStart, At: at, Conv: "big", Actor: domain.User("u")},
	}
	if _, err := s.ApplyBatch(batch); err != nil {
		t.Fatal(err)
	}
	diffs, err := s.Check(simulate.ReplayInto)
	if err != nil || len(diffs) != 0 {
		t.Fatalf("check on a store with a %d-byte mark: diffs %v, err %v", len(batch[0].Text), diffs, err)
	}
	mustMarked(t, s, "intercom", keys[999], true)
}
