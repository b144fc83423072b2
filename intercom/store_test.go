package intercom_test

import (
	"bytes"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

func openStore(tb testing.TB, opts store.Options) *store.Store {
	tb.Helper()
	st, err := store.Open(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// webhookOn is the webhook handler of a new Ingester on st, as a new
// process would build it.
func webhookOn(tb testing.TB, st *store.Store) *intercom.Webhook {
	tb.Helper()
	in, err := intercom.NewIngester(st)
	if err != nil {
		tb.Fatal(err)
	}
	return &intercom.Webhook{Ingester: in}
}

// TestRedeliveryAfterRestartChangesNothingInTheStore: a new process (new
// store handle, new Ingester) knows every key from the store's mark index.
func TestRedeliveryAfterRestartChangesNothingInTheStore(t *testing.T) {
	body, err := os.ReadFile("testdata/notification_rating.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st := openStore(t, store.Options{Dir: dir})
	if a, code := webhookOn(t, st).Ingest(body); code != http.StatusOK || a.Status != "ok" || a.Applied == 0 {
		t.Fatalf("first delivery: %d %+v", code, a)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openStore(t, store.Options{Dir: dir})
	defer st.Close()
	wh := webhookOn(t, st)
	if seen, err := wh.Ingester.Seen("notif/notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b3"); err != nil || !seen {
		t.Fatalf("Seen after restart: %v %v", seen, err)
	}
	if a, code := wh.Ingest(body); code != http.StatusOK || a.Status != "duplicate" {
		t.Fatalf("redelivery after restart: %d %+v", code, a)
	}
	// A new conversation where the admin shows another display name: a
	// rename, shown on all history; the ratings stay with the admin id.
	other := bytes.ReplaceAll(body, []byte(`"1295"`), []byte(`"1296"`))
	other = bytes.ReplaceAll(other, []byte("Ciaran Lee"), []byte("C. Lee"))
	other = bytes.Replace(other, []byte("notif_ccd8a4d0"), []byte("notif_0000aaaa"), 1)
	if a, code := wh.Ingest(other); code != http.StatusOK || a.Status != "ok" || a.Applied == 0 {
		t.Fatalf("new conversation: %d %+v", code, a)
	}
	if c := st.AllTime(domain.Teammate("991267390")); c.ByValue[5] != 2 {
		t.Fatalf("Ciaran Lee's counts %+v, want both 5s", c)
	}
	if n := st.DisplayName(domain.Teammate("991267390")); n != "C. Lee" {
		t.Fatalf("display name %q after the rename, want C. Lee", n)
	}
	seq := st.Seq()
	// The same conversation under a new notification id: only its mark.
	again := bytes.Replace(body, []byte("notif_ccd8a4d0"), []byte("notif_ffffffff"), 1)
	if a, code := wh.Ingest(again); code != http.StatusOK || a.Applied != 0 || a.Already == 0 {
		t.Fatalf("same parts, new id, after restart: %d %+v", code, a)
	}
	if st.Seq() != seq+1 {
		t.Fatalf("the log went from %d to %d events; want only the new id's mark", seq, st.Seq())
	}
	if diffs, err := st.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// Against the real store: a rating redelivered with an older updated_at
// is placed before the newer one and changes nothing; the store's counters
// and check agree.
func TestOlderRatingRedeliveryChangesNothingInTheStore(t *testing.T) {
	newer, err := os.ReadFile("testdata/notification_rating.json")
	if err != nil {
		t.Fatal(err)
	}
	older := bytes.Replace(newer, []byte(`"rating": 5,`), []byte(`"rating": 1,`), 1)
	older = bytes.Replace(older, []byte(`"updated_at": 1772443200,`), []byte(`"updated_at": 1772442900,`), 1)
	older = bytes.Replace(older, []byte("notif_ccd8a4d0"), []byte("notif_retry"), 1)
	st := openStore(t, store.Options{Dir: t.TempDir()})
	defer st.Close()
	wh := webhookOn(t, st)
	for i, body := range [][]byte{newer, older} {
		if a, code := wh.Ingest(body); code != http.StatusOK || a.Status != "ok" {
			t.Fatalf("notification %d: %d %+v", i, code, a)
		}
	}
	ciaran := domain.Teammate("991267390")
	if c := st.AllTime(ciaran); c.ByValue[5] != 1 || c.ByValue[1] != 0 || c.Surveys != 1 {
		t.Fatalf("counts %+v, want the newer 5 only", c)
	}
	if n := st.OpenFollowUps(); n != 0 {
		t.Fatalf("%d open follow-ups: the older 😠 entered the queue", n)
	}
	if diffs, err := st.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// A rename seen in a newer conversation, then an older payload with the
// old name delivered late (a backfill after the webhooks): the newer name
// stays. A repeat of it newer than the stored one is still written, so an
// old name from between the two delivered after it does not win either.
func TestAnOlderPayloadDeliveredLateKeepsTheRename(t *testing.T) {
	body, err := os.ReadFile("testdata/notification_rating.json")
	if err != nil {
		t.Fatal(err)
	}
	// later is body in conversation conv, the admin named name, and every
	// time moved days later (177244… becomes 1772<to>…).
	later := func(conv, notif, name, to string) []byte {
		b := bytes.ReplaceAll(body, []byte(`"1295"`), []byte(`"`+conv+`"`))
		b = bytes.ReplaceAll(b, []byte("Ciaran Lee"), []byte(name))
		b = bytes.Replace(b, []byte("notif_ccd8a4d0"), []byte(notif), 1)
		return bytes.ReplaceAll(b, []byte(`": 177244`), []byte(`": 1772`+to))
	}
	st := openStore(t, store.Options{Dir: t.TempDir()})
	defer st.Close()
	wh := webhookOn(t, st)
	mate := domain.Teammate("991267390")
	for _, step := range []struct {
		what string
		body []byte
	}{
		{"the rename", later("1296", "notif_renamed", "C. Lee", "54")},
		{"the old name, delivered late", body},
		{"the rename again, newer", later("1297", "notif_repeat", "C. Lee", "74")},
		{"the old name, from between the two", later("1298", "notif_between", "Ciaran Lee", "64")},
	} {
		if a, code := wh.Ingest(step.body); code != http.StatusOK || a.Status != "ok" {
			t.Fatalf("%s: %d %+v", step.what, code, a)
		}
		if n := st.DisplayName(mate); n != "C. Lee" {
			t.Fatalf("after %s: display name %q, want C. Lee", step.what, n)
		}
	}
	if diffs, err := st.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// Every payload shows its people's names: a repeat within a day of the
// stored name writes nothing for it, one a day newer is written once.
func TestRepeatedNamesAreLoggedAtMostOnceADay(t *testing.T) {
	body, err := os.ReadFile("testdata/notification_rating.json")
	if err != nil {
		t.Fatal(err)
	}
	shifted := func(conv, to string) []byte {
		b := bytes.ReplaceAll(body, []byte(`"1295"`), []byte(`"`+conv+`"`))
		b = bytes.Replace(b, []byte("notif_ccd8a4d0"), []byte("notif_"+conv), 1)
		return bytes.ReplaceAll(b, []byte(`": 177244`), []byte(`": 1772`+to))
	}
	st := openStore(t, store.Options{Dir: t.TempDir()})
	defer st.Close()
	wh := webhookOn(t, st)
	mate := domain.Teammate("991267390")
	for _, p := range [][]byte{body, shifted("1301", "45"), shifted("1302", "46"), shifted("1303", "64")} {
		if a, code := wh.Ingest(p); code != http.StatusOK || a.Status != "ok" {
			t.Fatalf("delivery: %d %+v", code, a)
		}
	}
	var named []time.Time
	if err := st.Events(0, func(_ uint64, ev domain.Event) error {
		if ev.Kind == domain.EvName && ev.Actor == mate {
			named = append(named, ev.At)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(named) != 2 {
		t.Fatalf("the admin's name was logged %d times (%v), want twice: the first, and the one a day newer", len(named), named)
	}
}
