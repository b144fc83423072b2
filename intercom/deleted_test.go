package intercom_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

var hookSecret = []byte("s3cret")

// deliver posts a fixture to the webhook, signed, and decodes the answer.
func deliver(t *testing.T, url, fixture string, edit func(string) string) (int, intercom.Answer) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + fixture)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		b = []byte(edit(string(b)))
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("X-Hub-Signature", intercom.Sign(hookSecret, b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a intercom.Answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, a
}

// filesWith lists the files under dir whose raw bytes hold text.
func filesWith(t *testing.T, dir, text string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(text)) {
				found = append(found, filepath.Base(path))
			}
		}
		return err
	})
	return found
}

// TestDeletionNotificationsEraseTheText: conversation.deleted and
// contact.deleted, through the signed webhook, erase the text from the
// store's state and from every file of its directory; the counts stay, the
// audit trail names the notification, and a redelivery is a duplicate.
func TestDeletionNotificationsEraseTheText(t *testing.T) {
	for _, tc := range []struct{ fixture, what string }{
		{"notification_conversation_deleted.json", "erasure.conversation"},
		{"notification_contact_deleted.json", "erasure.customer"},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			st := openStore(t, store.Options{Dir: dir})
			defer st.Close()
			in, err := intercom.NewIngester(st)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(&intercom.Webhook{Ingester: in, Secret: hookSecret})
			defer srv.Close()
			if code, a := deliver(t, srv.URL, "notification_rating.json", nil); code != http.StatusOK || a.Status != "ok" {
				t.Fatalf("rating: %d %+v", code, a)
			}
			texts := []string{"Quick and clear, thank you!", "Our CSV export has been failing", "Linked to INC-42"}
			for _, s := range texts {
				if len(filesWith(t, dir, s)) == 0 {
					t.Fatalf("no file holds %q before the deletion: the search cannot see it", s)
				}
			}
			lb, _ := st.Leaderboard(store.Period{})

			code, a := deliver(t, srv.URL, tc.fixture, nil)
			if code != http.StatusOK || a.Status != "ok" {
				t.Fatalf("deletion: %d %+v", code, a)
			}
			in.Wait() // the erasure runs after the answer
			for _, s := range texts {
				if f := filesWith(t, dir, s); len(f) > 0 {
					t.Errorf("%q is still in %v", s, f)
				}
			}
			if after, _ := st.Leaderboard(store.Period{}); !reflect.DeepEqual(after, lb) {
				t.Errorf("leaderboard changed:\n%+v\n%+v", lb, after)
			}
			if c, _ := st.Conversation("1295"); c.Slots[0].Value != 5 || strings.Contains(c.Slots[0].Comment, "Quick") {
				t.Errorf("slot after the deletion: %+v", c.Slots[0])
			}
			if diffs, err := st.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
				t.Fatalf("check: %v %v", err, diffs)
			}
			audit, _ := st.Audit(1)
			if len(audit) != 1 || audit[0].Key.String() != tc.what || !strings.HasPrefix(audit[0].By, "intercom ") ||
				!strings.HasSuffix(audit[0].New, ": text of 4 events in 1 conversations forgotten") {
				t.Errorf("audit trail: %+v", audit)
			}
			if code, a := deliver(t, srv.URL, tc.fixture, nil); code != http.StatusOK || a.Status != "duplicate" {
				t.Errorf("redelivery: %d %+v", code, a)
			}
		})
	}
}

func TestDeletionOfSomethingNeverStored(t *testing.T) {
	st := openStore(t, store.Options{Dir: t.TempDir()})
	defer st.Close()
	in, _ := intercom.NewIngester(st)
	srv := httptest.NewServer(&intercom.Webhook{Ingester: in, Secret: hookSecret})
	defer srv.Close()
	seq := st.Seq()
	if code, a := deliver(t, srv.URL, "notification_contact_deleted.json", nil); code != http.StatusOK || a.Status != "ignored" {
		t.Fatalf("unknown contact: %d %+v", code, a)
	}
	noID := func(s string) string { return strings.Replace(s, `"id": "1295", `, "", 1) }
	if code, a := deliver(t, srv.URL, "notification_conversation_deleted.json", noID); code != http.StatusBadRequest || !strings.Contains(a.Error, "data.item.id") {
		t.Fatalf("no id: %d %+v", code, a)
	}
	if st.Seq() != seq {
		t.Fatalf("the store moved from %d to %d", seq, st.Seq())
	}
}

// TestDeletionAcceptedBeforeAStopIsCarriedOutAtStart: a deletion recorded
// (answered 200) but not yet erased when the process stopped is erased by
// the next process's EraseInBackground, as csat serve calls it at start.
func TestDeletionAcceptedBeforeAStopIsCarriedOutAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	st := openStore(t, store.Options{Dir: dir})
	in, _ := intercom.NewIngester(st)
	srv := httptest.NewServer(&intercom.Webhook{Ingester: in, Secret: hookSecret})
	deliver(t, srv.URL, "notification_rating.json", nil)
	srv.Close()
	// As the webhook records it, without the erasure that would follow.
	if err := st.AskErasure(domain.Erasure{Conversation: "1295", By: "intercom conversation.deleted n1"}); err != nil {
		t.Fatal(err)
	}
	// Looked for while it is in the memtable's log: a table's Snappy blocks
	// may split it by back-references, whatever is on disk.
	if len(filesWith(t, dir, "Quick and clear, thank you!")) == 0 {
		t.Fatal("the remark is not on disk before the erasure: the search cannot see it")
	}
	st.Close()

	st = openStore(t, store.Options{Dir: dir})
	defer st.Close()
	in, _ = intercom.NewIngester(st)
	in.EraseInBackground()
	in.Wait()
	if f := filesWith(t, dir, "Quick and clear, thank you!"); len(f) > 0 {
		t.Fatalf("the remark is still in %v", f)
	}
	if done, err := st.ForgetAsked(simulate.ReplayInto); err != nil || len(done) != 0 {
		t.Fatalf("asked erasures left: %+v %v", done, err)
	}
}
