package intercom

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// received is the receiving clock of the tests: after every fixture.
var received = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func importFile(t *testing.T, sink *memSink, path string) (Report, []Skip) {
	t.Helper()
	in, err := NewIngester(sink)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ReadPath(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, bad, err := Import(in, recs, received, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep, bad
}

func TestImportV2ExportStoresObservedRatings(t *testing.T) {
	sink := newMemSink()
	rep, bad := importFile(t, sink, "testdata/export_v2.json")
	if len(bad) != 0 {
		t.Fatalf("malformed: %v", bad)
	}
	if rep.Applied == 0 || rep.Already != 0 {
		t.Fatalf("report %+v", rep)
	}
	ciaran, mo := domain.Teammate("Ciaran.Lee"), domain.Teammate("Mo.Farah")
	if c := sink.tally.Agent(ciaran); c.ByValue[5] != 1 || c.Surveys != 1 {
		t.Errorf("Ciaran.Lee counts %+v, want one 5 and one survey", c)
	}
	if c := sink.tally.Agent(mo); c.ByValue[1] != 1 || c.Surveys != 1 {
		t.Errorf("Mo.Farah counts %+v, want one 1 and one survey", c)
	}
	c := sink.ws.Conversations["1296"]
	if c == nil || c.Audience != domain.AudienceLeads || c.Slot(mo) == nil || c.Slot(mo).Comment != "Took hours." {
		t.Fatalf("conversation 1296: %+v", c)
	}
	// The rules skipped the short chat's survey; Intercom sent it: observed anyway.
	want := time.Date(2026, 3, 3, 12, 6, 0, 0, time.UTC)
	if s := c.Slot(mo); s.FirstRatedAt != want || s.LastRequestAt != want {
		t.Errorf("slot times %v %v, want the rating's created_at %v", s.FirstRatedAt, s.LastRequestAt, want)
	}
	direct := sink.ws.Conversations["1297"]
	if direct == nil || direct.Origin != domain.OriginDirect || direct.OpenedBy != "Ciaran.Lee" || direct.Channel != domain.ChannelEmail {
		t.Fatalf("direct conversation: %+v", direct)
	}
	// The assignment part has no rule effect and says so.
	found := false
	for _, s := range rep.Skipped {
		found = found || strings.Contains(s.What, "part 101 (assignment)")
	}
	if !found {
		t.Errorf("skipped %v: want the assignment part listed", rep.Skipped)
	}
}

func TestImportTwiceChangesNothing(t *testing.T) {
	sink := newMemSink()
	first, _ := importFile(t, sink, "testdata/export_v2.json")
	n := len(sink.log)
	second, bad := importFile(t, sink, "testdata/export_v2.json")
	if len(bad) != 0 || second.Applied != 0 || len(sink.log) != n {
		t.Fatalf("second import wrote: %+v (log %d → %d)", second, n, len(sink.log))
	}
	// Every step written the first time is recognised (the fixture has no step the rules refused).
	if second.Already != first.Applied {
		t.Errorf("already %d, want %d", second.Already, first.Applied)
	}
}

func TestImportV1Shape(t *testing.T) {
	sink := newMemSink()
	_, bad := importFile(t, sink, "testdata/export_v1.jsonl")
	if len(bad) != 0 {
		t.Fatalf("malformed: %v", bad)
	}
	c := sink.ws.Conversations["2002"]
	if c == nil || c.Customers[0] != domain.Lead("6643703ffae7834d1792fd30") || c.Origin != domain.OriginMessage {
		t.Fatalf("conversation 2002: %+v", c)
	}
	if s := c.Slot(domain.Teammate("Ciaran.Lee")); s == nil || s.Value != 2 || s.Comment != "meh" {
		t.Fatalf("slot %+v", s)
	}
	if s := sink.ws.Conversations["2001"].Slot(domain.Teammate("Mo.Farah")); s == nil || s.Value != 4 || s.Commented {
		t.Fatalf("2001 slot %+v", s)
	}
}

func TestBrokenRecordsAreReportedAndNeverWritten(t *testing.T) {
	sink := newMemSink()
	rep, bad := importFile(t, sink, "testdata/broken.jsonl")
	want := []string{
		"testdata/broken.jsonl:2 (record 2): field conversation_parts.conversation_parts.created_at",
		"testdata/broken.jsonl:3 (record 3): field id: missing",
		"testdata/broken.jsonl:5 (record 5): malformed JSON",
	}
	if len(bad) != len(want) {
		t.Fatalf("malformed %v, want %d", bad, len(want))
	}
	for i, w := range want {
		if got := bad[i].What + ": " + bad[i].Reason; !strings.HasPrefix(got, w) {
			t.Errorf("malformed[%d] = %q, want prefix %q", i, got, w)
		}
	}
	if sink.ws.Conversations["3002"] != nil {
		t.Fatal("the record with a bad time was written")
	}
	if sink.ws.Conversations["3001"] == nil || sink.ws.Conversations["3003"] == nil {
		t.Fatal("good records were not imported")
	}
	for _, s := range sink.ws.Conversations["3003"].Slots {
		if s.Value != 0 {
			t.Fatalf("a rating of 7 was stored: %+v", s)
		}
	}
	found := false
	for _, s := range rep.Skipped {
		found = found || s.Reason == "rating is outside 1..5"
	}
	if !found {
		t.Errorf("skipped %v: want the out-of-range rating", rep.Skipped)
	}
}

func TestImportKeepsIntercomTimesBesideNewerData(t *testing.T) {
	sink := newMemSink()
	later := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, err := sink.ApplyBatch([]domain.Event{{Kind: domain.EvStart, At: later, Conv: "newer", Actor: domain.User("zed")}}); err != nil {
		t.Fatal(err)
	}
	importFile(t, sink, "testdata/export_v2.json")
	c := sink.ws.Conversations["1295"]
	if want := time.Unix(1772442000, 0).UTC(); !c.StartedAt.Equal(want) {
		t.Errorf("start %v, want Intercom's created_at %v: nothing is restamped", c.StartedAt, want)
	}
	if s := c.Slot(domain.Teammate("Ciaran.Lee")); !s.FirstRatedAt.Equal(time.Date(2026, 3, 2, 9, 10, 0, 0, time.UTC)) {
		t.Errorf("first rated %v, want the rating's own created_at", s.FirstRatedAt)
	}
}

// oldConversation is an Intercom conversation of 2025: a customer's
// opening message, a teammate's reply an hour later, and the teammate's
// close closeAfter the reply.
func oldConversation(id string, closeAfter time.Duration) string {
	start := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	reply := start.Add(time.Hour)
	text := strings.Repeat("The export times out on every report we try. ", 4)
	return fmt.Sprintf(`{"type":"conversation","id":%q,"created_at":%d,
 "source":{"type":"conversation","id":"s%s","delivered_as":"customer_initiated","body":%q,
  "author":{"type":"user","id":"u%s","name":"Ann"}},
 "contacts":{"type":"contact.list","contacts":[{"type":"contact","id":"u%s"}]},
 "conversation_parts":{"type":"conversation_part.list","conversation_parts":[
  {"type":"conversation_part","id":"%s1","part_type":"comment","body":%q,"created_at":%d,
   "author":{"type":"admin","id":"77","name":"Bea"}},
  {"type":"conversation_part","id":"%s2","part_type":"close","body":null,"created_at":%d,
   "author":{"type":"admin","id":"77","name":"Bea"}}]}}`,
		id, start.Unix(), id, text, id, id, id, text, reply.Unix(), id, reply.Add(closeAfter).Unix())
}

// History of 2025 imported after 2026 data is judged at its own times: a
// close 10 days after the last reply is stale, one after a day is not.
func TestHistoryImportedAfterNewerDataIsJudgedAtItsOwnTimes(t *testing.T) {
	sink := newMemSink()
	importFile(t, sink, "testdata/export_v2.json") // 2026
	in, err := NewIngester(sink)
	if err != nil {
		t.Fatal(err)
	}
	data := "[" + oldConversation("old1", 10*24*time.Hour) + "," + oldConversation("old2", 24*time.Hour) + "]"
	recs := ReadBytes("history-2025.json", []byte(data))
	if _, bad, err := Import(in, recs, received, nil); err != nil || len(bad) > 0 {
		t.Fatalf("import: %v %v", err, bad)
	}
	stale, fresh := sink.ws.Conversations["old1"], sink.ws.Conversations["old2"]
	if stale == nil || fresh == nil {
		t.Fatal("the 2025 conversations were not imported")
	}
	if stale.Requested || stale.ClosedAt.Year() != 2025 {
		t.Errorf("a close 10 days after the last reply sent a survey (closed %s)", stale.ClosedAt)
	}
	if !fresh.Requested {
		t.Error("a close a day after the reply sent no survey")
	}
	var closes []domain.Outcome
	w := domain.NewWorkspace()
	for _, ev := range sink.log {
		if ev.Conv != "old1" {
			continue
		}
		if o, err := w.Apply(ev); err == nil && ev.Kind == domain.EvClose {
			closes = append(closes, o)
		}
	}
	if len(closes) != 1 || !closes[0].Has(domain.CodeStale) {
		t.Errorf("the 2025 close was not judged stale: %+v", closes)
	}
}

// A time more than 10 minutes after the receiving clock is bad input: the
// record is reported with its file and position and moves nothing.
func TestImportRefusesATimeInTheFuture(t *testing.T) {
	sink := newMemSink()
	in, err := NewIngester(sink)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2025, 4, 1, 10, 0, 0, 0, time.UTC) // the reply, at 10:00, is fine; the close is days ahead
	recs := ReadBytes("typo.json", []byte("["+oldConversation("t1", 3*24*time.Hour)+"]"))
	rep, bad, err := Import(in, recs, clock.Add(5*time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || !strings.HasPrefix(bad[0].What, "typo.json:1 (record 1)") || !strings.Contains(bad[0].Reason, "after the receiving clock") {
		t.Fatalf("malformed %+v", bad)
	}
	if rep.Applied != 0 || len(sink.log) != 0 {
		t.Fatalf("a refused record wrote %d events", len(sink.log))
	}
}

func TestNamesAreStableAndSafe(t *testing.T) {
	n := NewNames()
	if got, _ := n.Learn("1", "Ciaran Lee"); got != "Ciaran.Lee" {
		t.Errorf("got %q", got)
	}
	if got, _ := n.Learn("2", "Ciaran  Lee!"); got != "Ciaran.Lee-2" {
		t.Errorf("same name, other admin: got %q", got)
	}
	if got, _ := n.Learn("3", "  "); got != "admin-3" {
		t.Errorf("blank name: got %q", got)
	}
	if got, _ := n.Learn("4", "team"); got != "admin-4" {
		t.Errorf("reserved name: got %q", got)
	}
	if got, _ := n.Learn("1", "Renamed"); got != "Ciaran.Lee" {
		t.Errorf("a learned name must not change: got %q", got)
	}
	if a := n.Admin("99"); a != domain.Teammate("admin-99") {
		t.Errorf("unknown admin: %v", a)
	}
	for _, s := range []string{"José Ñ", "<script>", "a/b\\c", "日本"} {
		if out := Sanitize(s); out != "" && !domain.ValidName(out) {
			t.Errorf("Sanitize(%q) = %q is not a valid name", s, out)
		}
	}
}

func TestText(t *testing.T) {
	cases := map[string]string{
		"<p>Hi&nbsp;there</p><p>you</p>": "Hi there you",
		"I&#39;ll  be  <b>back</b>":      "I'll be back",
		"plain 😀":                        "plain 😀",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompareObservedShowsWhereTheRulesDiffer(t *testing.T) {
	sink := newMemSink()
	importFile(t, sink, "testdata/export_v2.json")
	importFile(t, sink, "testdata/export_v1.jsonl")
	cmp, err := CompareObserved(func(yield func(domain.Event) error) error {
		for _, ev := range sink.log {
			if err := yield(ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 1295, 2001, 2002 were long enough: the rules agree. 1296 was a short chat.
	if cmp.Observed != 4 || cmp.Agree != 3 || cmp.Skipped != 1 || cmp.SkippedBy["too_short"] != 1 {
		t.Fatalf("comparison %+v", cmp)
	}
	d := cmp.Diverging[0]
	if d.Conv != "1296" || d.Agent != domain.Teammate("Mo.Farah") || !strings.HasPrefix(d.Rules, "skipped: too_short (") {
		t.Fatalf("divergence %+v", d)
	}
}

func FuzzImportRecords(f *testing.F) {
	// Small seeds keep the fuzzer fast: one v1 record, and the shapes around it.
	b, err := os.ReadFile("testdata/export_v1.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	f.Add([]byte(first))
	f.Add([]byte("[" + first + "]"))
	f.Add([]byte(`{"type":"conversation.list","conversations":[{"id":"1","created_at":1772442000,"contacts":{"contacts":[{"type":"lead","id":"x"}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sink := newMemSink()
		in, err := NewIngester(sink)
		if err != nil {
			t.Fatal(err)
		}
		recs := ReadBytes("fuzz.json", data)
		for _, r := range recs {
			if r.Err != nil && !strings.HasPrefix(r.Source, "fuzz.json:") {
				t.Fatalf("error without a position: %q", r.Source)
			}
		}
		if _, _, err := Import(in, recs, received, nil); err != nil {
			t.Fatalf("a mapped record failed to write: %v", err)
		}
	})
}

// Each record of a JSON array is named by the line it starts on, however
// the records are laid out.
func TestArrayRecordsNameTheirLines(t *testing.T) {
	data := []byte("[\n  {\"type\":\"conversation\",\"id\":\"1\"},\n\n  {\"type\":\"conversation\",\n   \"id\":\"2\"}, {\"type\":\"conversation\",\"id\":\"3\"},\n  {\"type\":\"ticket\",\"id\":\"4\"}\n]\n")
	recs := ReadBytes("a.json", data)
	want := []string{"a.json:2 (record 1)", "a.json:4 (record 2)", "a.json:5 (record 3)", "a.json:6 (record 4)"}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, r := range recs {
		if r.Source != want[i] {
			t.Errorf("record %d: source %q, want %q", i+1, r.Source, want[i])
		}
	}
	if recs[3].Err == nil {
		t.Error("the ticket was read as a conversation")
	}
}

// BenchmarkReadArray reads JSON arrays of 1,000 and 8,000 records: the time
// per record stays flat (it grew with the size of the file when every
// record's line was counted from the start).
func BenchmarkReadArray(b *testing.B) {
	for _, n := range []int{1000, 8000} {
		var buf bytes.Buffer
		buf.WriteString("[\n")
		for i := range n {
			if i > 0 {
				buf.WriteString(",\n")
			}
			fmt.Fprintf(&buf, "  {\"type\":\"conversation\",\"id\":\"%d\",\n   \"title\":%q}", i, strings.Repeat("x", 500))
		}
		buf.WriteString("\n]\n")
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if recs := ReadBytes("a.json", buf.Bytes()); len(recs) != n {
					b.Fatal(len(recs))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
		})
	}
}
