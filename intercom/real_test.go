package intercom_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// realFixtures are conversations built from the 2.14 OpenAPI schemas, in
// the order their histories happened.
var realFixtures = []string{"testdata/real/identities.json", "testdata/real/parts.json", "testdata/real/v1.jsonl"}

func importReal(t *testing.T, st *store.Store, paths ...string) intercom.Report {
	t.Helper()
	in, err := intercom.NewIngester(st)
	if err != nil {
		t.Fatal(err)
	}
	var recs []intercom.Record
	for _, p := range paths {
		r, err := intercom.ReadPath(p)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r...)
	}
	rep, bad, err := intercom.Import(in, recs, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), nil)
	if err != nil || len(bad) > 0 {
		t.Fatalf("import: %v %v", bad, err)
	}
	return rep
}

// rawConversations reads a fixture file as JSON objects, to cut into
// notifications.
func rawConversations(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err == nil {
		return out
	}
	var one map[string]any
	if err := json.Unmarshal(b, &one); err != nil {
		t.Fatal(err)
	}
	return []map[string]any{one}
}

// notifications cuts a conversation into webhook notifications as Intercom
// sends them: the conversation as created, then one notification per new
// part (the item carries that part only), in the order they happened, then
// the rating.
func notifications(t *testing.T, c map[string]any) [][]byte {
	t.Helper()
	parts := c["conversation_parts"].(map[string]any)
	all := parts["conversation_parts"].([]any)
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i].(map[string]any), all[j].(map[string]any)
		if a["created_at"].(float64) != b["created_at"].(float64) {
			return a["created_at"].(float64) < b["created_at"].(float64)
		}
		x, _ := strconv.Atoi(a["id"].(string))
		y, _ := strconv.Atoi(b["id"].(string))
		return x < y
	})
	item := func(ps []any, rated bool) map[string]any {
		cp := map[string]any{}
		for k, v := range c {
			cp[k] = v
		}
		cp["conversation_parts"] = map[string]any{"type": "conversation_part.list", "conversation_parts": ps, "total_count": len(ps)}
		if !rated {
			cp["conversation_rating"], cp["ai_agent"] = nil, nil
		}
		return cp
	}
	var out [][]byte
	add := func(topic string, it map[string]any) {
		n := map[string]any{"type": "notification_event", "id": fmt.Sprintf("notif_%v_%d", c["id"], len(out)), "topic": topic,
			"created_at": c["created_at"], "data": map[string]any{"type": "notification_event_data", "item": it}}
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	add("conversation.user.created", item([]any{}, false))
	for _, p := range all {
		add("conversation.admin.replied", item([]any{p}, false))
	}
	if c["conversation_rating"] != nil || c["ai_agent"] != nil {
		add("conversation.rating.added", item([]any{}, true))
	}
	return out
}

func deliverTo(t *testing.T, wh *intercom.Webhook, body []byte) intercom.Answer {
	t.Helper()
	a, code := wh.Ingest(body)
	if code != http.StatusOK {
		t.Fatalf("webhook: %d %+v\n%s", code, a, body)
	}
	return a
}

// view is what a support lead sees of a store: the leaderboard rows with
// their names, and every rating slot with its people's names.
type view struct {
	Rows  []string
	Slots []string
}

func viewOf(t *testing.T, st *store.Store) view {
	t.Helper()
	lb, err := st.Leaderboard(store.Period{})
	if err != nil {
		t.Fatal(err)
	}
	var v view
	v.Rows = append(v.Rows, fmt.Sprintf("team %+v", lb.Team))
	for _, r := range append(lb.Teammates, lb.Bots...) {
		v.Rows = append(v.Rows, fmt.Sprintf("%s %q %+v", r.Agent, r.Display, r.Counts))
	}
	err = st.EachConversation(func(c domain.Conversation, _ time.Time) error {
		for _, s := range c.Slots {
			v.Slots = append(v.Slots, fmt.Sprintf("%s %s %q by %v %q: %d %q changed %s", c.ID, s.Agent, st.DisplayName(s.Agent),
				c.Customers, st.DisplayName(c.Customers[0]), s.Value, s.Comment, s.LastChangedAt.Format("15:04:05")))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestWebhooksGiveWhatImportGives: the same conversations imported from the
// REST API or delivered as notifications (each carrying only its new part)
// end in the same leaderboard, names and rating slots.
func TestWebhooksGiveWhatImportGives(t *testing.T) {
	imported := openStore(t, store.Options{InMemory: true})
	defer imported.Close()
	rep := importReal(t, imported, realFixtures...)
	if !reflect.DeepEqual(rep.Truncated, []string{"4005"}) {
		t.Errorf("truncated %v, want [4005]", rep.Truncated)
	}

	hooked := openStore(t, store.Options{InMemory: true})
	defer hooked.Close()
	wh := webhookOn(t, hooked)
	for _, f := range realFixtures {
		for _, c := range rawConversations(t, f) {
			for _, n := range notifications(t, c) {
				deliverTo(t, wh, n)
			}
		}
	}
	want, got := viewOf(t, imported), viewOf(t, hooked)
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("webhooks and import differ\nimport:\n%v\nwebhooks:\n%v", want, got)
	}
	for _, st := range []*store.Store{imported, hooked} {
		if diffs, err := st.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
			t.Fatalf("check: %v %v", diffs, err)
		}
	}
	t.Logf("%v", want)
}

// TestOutOfOrderRatingRedeliveryChangesNothing: a rating retried a minute
// later carries the value it had then; the newer one stays, by webhook and
// by import alike, and a newer change still lands.
func TestOutOfOrderRatingRedeliveryChangesNothing(t *testing.T) {
	c := rawConversations(t, "testdata/real/identities.json")[0] // 4001, rated 5 at updated_at B+360
	st := openStore(t, store.Options{InMemory: true})
	defer st.Close()
	wh := webhookOn(t, st)
	for _, n := range notifications(t, c) {
		deliverTo(t, wh, n)
	}
	rated := func(value int, updated float64, id string) []byte {
		r := map[string]any{}
		for k, v := range c["conversation_rating"].(map[string]any) {
			r[k] = v
		}
		r["rating"], r["updated_at"], r["remark"] = value, updated, ""
		item := map[string]any{}
		for k, v := range c {
			item[k] = v
		}
		item["conversation_rating"] = r
		item["conversation_parts"] = map[string]any{"type": "conversation_part.list", "conversation_parts": []any{}, "total_count": 2}
		b, _ := json.Marshal(map[string]any{"type": "notification_event", "id": id, "topic": "conversation.rating.added",
			"created_at": updated, "data": map[string]any{"item": item}})
		return b
	}
	chloe := domain.Teammate("5017001")
	before := st.AllTime(chloe)
	slot := func() domain.Slot {
		conv, _ := st.Conversation("4001")
		return *conv.Slot(chloe)
	}
	updated := c["conversation_rating"].(map[string]any)["updated_at"].(float64)

	deliverTo(t, wh, rated(3, updated-60, "notif_retry_old"))
	if s := slot(); s.Value != 5 || st.AllTime(chloe) != before {
		t.Fatalf("an older rating moved the slot to %d, counts %+v → %+v", s.Value, before, st.AllTime(chloe))
	}
	dir := t.TempDir()
	old, _ := json.Marshal(func() map[string]any {
		var n map[string]any
		_ = json.Unmarshal(rated(2, updated-30, "n"), &n)
		return n["data"].(map[string]any)["item"].(map[string]any)
	}())
	if err := os.WriteFile(dir+"/old.json", old, 0o600); err != nil {
		t.Fatal(err)
	}
	importReal(t, st, dir+"/old.json")
	if s := slot(); s.Value != 5 {
		t.Fatalf("an older rating imported moved the slot to %d", s.Value)
	}

	deliverTo(t, wh, rated(2, updated+60, "notif_newer"))
	if s := slot(); s.Value != 2 || s.LastChangedAt.Unix() != int64(updated+60) {
		t.Fatalf("a newer rating: slot %+v, want 2 changed at updated_at", s)
	}
	if c := st.AllTime(chloe); c.ByValue[5] != 0 || c.ByValue[2] != 1 || c.Surveys != 1 {
		t.Fatalf("counts after the newer rating %+v", c)
	}
	if diffs, err := st.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}
