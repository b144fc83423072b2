package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// Texts only the forgotten conversations hold: a message, a teammate's
// reply naming the customer, a note, a remark, a follow-up note, and a
// message long enough for Badger's value log.
var secrets = []string{"Chloé-Dubois-7731", "chloe.dubois@example.org", "SECRET-NOTE-4412", "REMARK-山田-9087", "FOLLOWUP-CALL-5566", "LONGMSG-8812"}

// withSecrets is a history of background traffic plus two conversations
// of customer user:chloe (k1 rated 1 with a remark and a follow-up, k2
// rated 5) and one of another customer that must keep its text.
func withSecrets() []domain.Event {
	g := newRealisticStream(3, 4, t0)
	var evs []domain.Event
	for range 2500 {
		evs = append(evs, g.next())
	}
	at := g.now
	tick := func() time.Time { at = at.Add(time.Minute); return at }
	chloe, ann, other := domain.User("chloe"), domain.Teammate("agent000"), domain.User("keeper")
	long := strings.Repeat("LONGMSG-8812 the export still fails ", 150)
	evs = append(evs,
		domain.Event{Kind: domain.EvRole, At: tick(), By: "lead", Role: domain.RoleAdmin},
		domain.Event{Kind: domain.EvStart, At: tick(), Conv: "k1", Actor: chloe},
		domain.Event{Kind: domain.EvSay, At: tick(), Conv: "k1", Actor: chloe, Text: "I am Chloé-Dubois-7731, " + long},
		domain.Event{Kind: domain.EvSay, At: tick(), Conv: "k1", Actor: ann, Text: "Hi, we wrote to chloe.dubois@example.org"},
		domain.Event{Kind: domain.EvNote, At: tick(), Conv: "k1", Actor: ann, Text: "SECRET-NOTE-4412"},
		domain.Event{Kind: domain.EvClose, At: tick(), Conv: "k1", Actor: ann},
		domain.Event{Kind: domain.EvRate, At: tick(), Conv: "k1", Actor: chloe, Value: 1},
		domain.Event{Kind: domain.EvComment, At: tick(), Conv: "k1", Actor: chloe, Text: "REMARK-山田-9087 awful"},
		domain.Event{Kind: domain.EvFollowUp, At: tick(), Conv: "k1", Agent: ann, Stage: domain.StageClaimed, By: "lead", Text: "FOLLOWUP-CALL-5566"},
		domain.Event{Kind: domain.EvStart, At: tick(), Conv: "k2", Actor: chloe},
		domain.Event{Kind: domain.EvObserve, At: tick(), Conv: "k2", Actor: chloe, Agent: ann, Value: 5, Text: "REMARK-山田-9087 great", Until: at},
		domain.Event{Kind: domain.EvStart, At: tick(), Conv: "k3", Actor: other},
		domain.Event{Kind: domain.EvObserve, At: tick(), Conv: "k3", Actor: other, Agent: ann, Value: 4, Text: "KEEPER-REMARK", Until: at},
	)
	return evs
}

// filesHolding lists the files under dir whose raw bytes contain any of texts.
func filesHolding(t *testing.T, dir string, texts []string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range texts {
			if bytes.Contains(b, []byte(s)) {
				found = append(found, filepath.Base(path)+" holds "+s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestForgetCustomerLeavesNoTextInAnyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := openDir(t, dir)
	defer func() { s.Close() }()
	if _, err := s.ApplyBatch(withSecrets()); err != nil {
		t.Fatal(err)
	}
	// The test must be able to see the text: Badger's write-ahead files hold it raw.
	for _, secret := range secrets {
		if found := filesHolding(t, dir, []string{secret}); len(found) == 0 {
			t.Fatalf("no file holds %q before the erasure: the search cannot see it", secret)
		}
	}
	lbBefore, _ := s.Leaderboard(Period{})
	seqBefore := s.Seq()
	streamBefore, _ := s.Stream("k1")

	got, err := s.Forget(simulate.ReplayInto, domain.Erasure{Customer: "chloe", By: "dpo"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Conversations, []string{"k1", "k2"}) || got.Events != 6 || got.Seq != seqBefore+1 {
		t.Fatalf("Forget = %+v, want k1 and k2, 6 events, record at %d", got, seqBefore+1)
	}
	if found := filesHolding(t, dir, secrets); len(found) > 0 {
		t.Fatalf("erased text is still on disk: %v", found)
	}
	if _, err := os.Stat(dir + rebuildSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the old store is still beside the data directory: %v", err)
	}
	assertForgotten(t, s, lbBefore, streamBefore)

	// Reopened, the store is the rebuilt one and agrees with its log.
	s.Close()
	s = openDir(t, dir)
	assertForgotten(t, s, lbBefore, streamBefore)
	if found := filesHolding(t, dir, secrets); len(found) > 0 {
		t.Fatalf("erased text is on disk after reopening: %v", found)
	}
}

// assertForgotten checks a store after chloe's erasure: counts as before,
// the log consistent, texts redacted to the same length, the other
// customer's text kept, the erasure in the audit trail.
func assertForgotten(t *testing.T, s *Store, lbBefore Leaderboard, streamBefore []Part) {
	t.Helper()
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check after the erasure: %v %v", err, diffs)
	}
	if lb, _ := s.Leaderboard(Period{}); !reflect.DeepEqual(lb, lbBefore) {
		t.Fatalf("leaderboard changed:\nbefore %+v\nafter  %+v", lbBefore, lb)
	}
	stream, err := s.Stream("k1")
	if err != nil || len(stream) != len(streamBefore) {
		t.Fatalf("stream of k1: %d parts (%v), want %d", len(stream), err, len(streamBefore))
	}
	for i, p := range stream {
		b := streamBefore[i]
		if p.Event.Text != domain.Redact(b.Event.Text) || utf8.RuneCountInString(p.Event.Text) != utf8.RuneCountInString(b.Event.Text) {
			t.Errorf("part %d: text %q, want the placeholder of %q", i, p.Event.Text, b.Event.Text)
		}
		if !sameOutcome(&p.Outcome, &b.Outcome) {
			t.Errorf("part %d: outcome %+v, was %+v", i, p.Outcome, b.Outcome)
		}
	}
	fu, _ := s.FollowUps(FollowUpFilter{})
	for _, it := range fu {
		if it.Conv == "k1" && (it.Comment != domain.Redact("REMARK-山田-9087 awful") || it.FollowUp.Note != domain.Redact("FOLLOWUP-CALL-5566")) {
			t.Errorf("follow-up of k1 keeps text: %+v", it)
		}
	}
	if c, _ := s.Conversation("k3"); c.Slots[0].Comment != "KEEPER-REMARK" {
		t.Errorf("another customer's remark was touched: %q", c.Slots[0].Comment)
	}
	audit, err := s.Audit(0)
	if err != nil || len(audit) == 0 || audit[0].Key.String() != "erasure.customer" || audit[0].By != "dpo" ||
		audit[0].New != "chloe: text of 6 events in 2 conversations forgotten" {
		t.Fatalf("audit trail: %+v %v", audit, err)
	}
}

func TestForgetUnknownChangesNothing(t *testing.T) {
	s := openMemLarge(t)
	if _, err := s.ApplyBatch(withSecrets()[2500:]); err != nil {
		t.Fatal(err)
	}
	seq := s.Seq()
	if _, err := s.Forget(simulate.ReplayInto, domain.Erasure{Conversation: "nope"}); !errors.Is(err, domain.ErrUnknownConversation) {
		t.Fatalf("unknown conversation: %v", err)
	}
	if _, err := s.Forget(simulate.ReplayInto, domain.Erasure{Customer: "lead:chloe"}); !errors.Is(err, domain.ErrUnknownCustomer) {
		t.Fatalf("chloe is a user, not a lead: %v", err)
	}
	if _, err := s.Forget(simulate.ReplayInto, domain.Erasure{}); err == nil {
		t.Fatal("an erasure naming nothing was accepted")
	}
	if s.Seq() != seq {
		t.Fatalf("seq moved from %d to %d", seq, s.Seq())
	}
}

// An event the rebuild's replay decides otherwise than the log recorded
// stops the erasure: nothing is erased and nothing recorded.
func TestForgetRefusesAReplayThatDecidesOtherwise(t *testing.T) {
	s := openMemLarge(t)
	evs := withSecrets()[2500:]
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	seq := s.Seq()
	closeAt := 0
	for i, ev := range evs {
		if ev.Kind == domain.EvClose && ev.Conv == "k1" {
			closeAt = i + 1
		}
	}
	astray := func(log func(yield func(domain.Event) error) error, into Replayer, onOutcome func(int, *domain.Outcome) error) error {
		return simulate.ReplayInto(log, into, func(n int, o *domain.Outcome) error {
			if n == closeAt {
				o.Decision = domain.DecisionSkipped
			}
			return onOutcome(n, o)
		})
	}
	_, err := s.Forget(astray, domain.Erasure{Conversation: "k1"})
	want := fmt.Sprintf("event %d decides skipped on replay but was recorded sent", closeAt)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "nothing was erased") {
		t.Fatalf("err = %v, want one with %q", err, want)
	}
	if s.Seq() != seq {
		t.Fatalf("seq moved from %d to %d", seq, s.Seq())
	}
	if c, _ := s.Conversation("k1"); c.Slots[0].Comment != "REMARK-山田-9087 awful" {
		t.Fatalf("comment after a refused erasure: %q", c.Slots[0].Comment)
	}
}

func TestForgetTwiceOnlyRecords(t *testing.T) {
	s := openMemLarge(t)
	if _, err := s.ApplyBatch(withSecrets()[2500:]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget(simulate.ReplayInto, domain.Erasure{Conversation: "k1", By: "a"}); err != nil {
		t.Fatal(err)
	}
	now, seq := s.Latest(), s.Seq()
	got, err := s.Forget(simulate.ReplayInto, domain.Erasure{Conversation: "k1", By: "b", Extra: []domain.Event{domain.MarkEvent("intercom", []string{"notif/9"}, time.Time{})}})
	if err != nil || got.Events != 0 || got.Seq != seq+1 || s.Seq() != seq+2 {
		t.Fatalf("second erasure: %+v %v (seq %d → %d)", got, err, seq, s.Seq())
	}
	if ok, _ := s.Marked("intercom", "notif/9"); !ok || !s.Latest().Equal(now) {
		t.Fatalf("the extra mark is missing (%v) or the newest time moved (%s → %s)", ok, now, s.Latest())
	}
	if audit, _ := s.Audit(0); len(audit) != 2 {
		t.Fatalf("want both erasures in the audit trail, got %+v", audit)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", err, diffs)
	}
}

// TestForgetBesideReaders runs reads on every path while an erasure
// replaces the database under them (go test -race watches the handover).
func TestForgetBesideReaders(t *testing.T) {
	s := openDir(t, filepath.Join(t.TempDir(), "data"))
	defer s.Close()
	if _, err := s.ApplyBatch(withSecrets()); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Leaderboard(Period{}); err != nil {
					t.Error(err)
				}
				if _, err := s.Stream("k1"); err != nil {
					t.Error(err)
				}
				if _, err := s.Marked("intercom", "x"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	_, err := s.Forget(simulate.ReplayInto, domain.Erasure{Conversation: "k1"})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Conversation("k1"); c.Slots[0].Comment != domain.Redact("REMARK-山田-9087 awful") {
		t.Fatalf("comment after the erasure: %q", c.Slots[0].Comment)
	}
}

func TestOpenRemovesWhatAKilledRebuildLeft(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	openDir(t, dir).Close()
	left := dir + rebuildSuffix
	if err := os.MkdirAll(left, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(left, "000001.vlog"), []byte("Chloé-Dubois-7731"), 0o600)
	r, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := os.Stat(left); err != nil {
		t.Fatal("a read-only open removed the leftover; it cannot know no rebuild runs")
	}
	openDir(t, dir).Close()
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a writable open kept the leftover: %v", err)
	}
}

// openMemLarge is an in-memory store that takes values of any size.
func openMemLarge(t *testing.T) *Store {
	t.Helper()
	s, err := Open(Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestAskedErasuresAreCarriedOutTogether: erasures asked (as a webhook
// records them) are done by one ForgetAsked, each with its own record,
// and are not done twice.
func TestAskedErasuresAreCarriedOutTogether(t *testing.T) {
	s := openMemLarge(t)
	if _, err := s.ApplyBatch(withSecrets()[2500:]); err != nil {
		t.Fatal(err)
	}
	if err := s.AskErasure(domain.Erasure{Conversation: "nope"}); !errors.Is(err, domain.ErrUnknownConversation) {
		t.Fatalf("asking for an unknown conversation: %v", err)
	}
	for _, e := range []domain.Erasure{{Conversation: "k1", By: "a b/c"}, {Customer: "user:keeper", By: "d"}} {
		if err := s.AskErasure(e); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := s.Conversation("k3"); c.Slots[0].Comment != "KEEPER-REMARK" {
		t.Fatal("asking erased already")
	}
	done, err := s.ForgetAsked(simulate.ReplayInto)
	if err != nil || len(done) != 2 || done[0].Conversations[0] != "k1" || done[1].Conversations[0] != "k3" || done[1].Seq != done[0].Seq+1 {
		t.Fatalf("ForgetAsked = %+v, %v", done, err)
	}
	if c, _ := s.Conversation("k3"); c.Slots[0].Comment != domain.Redact("KEEPER-REMARK") {
		t.Fatalf("k3 after the erasure: %q", c.Slots[0].Comment)
	}
	if again, err := s.ForgetAsked(simulate.ReplayInto); err != nil || len(again) != 0 {
		t.Fatalf("done twice: %+v %v", again, err)
	}
	audit, _ := s.Audit(0)
	if len(audit) != 2 || audit[1].By != "a b/c" {
		t.Fatalf("audit trail: %+v", audit)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", err, diffs)
	}
}
