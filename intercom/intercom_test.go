package intercom

import (
	"bytes"
	"fmt"
	"os"
	"sort"
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
	ciaran, mo := domain.Teammate("991267390"), domain.Teammate("991267391")
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
	if direct == nil || direct.Origin != domain.OriginDirect || direct.OpenedBy != "991267390" || direct.Channel != domain.ChannelEmail {
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
	if s := c.Slot(domain.Teammate("991267390")); s == nil || s.Value != 2 || s.Comment != "meh" {
		t.Fatalf("slot %+v", s)
	}
	if s := sink.ws.Conversations["2001"].Slot(domain.Teammate("991267391")); s == nil || s.Value != 4 || s.Commented {
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
	if s := c.Slot(domain.Teammate("991267390")); !s.FirstRatedAt.Equal(time.Date(2026, 3, 2, 9, 10, 0, 0, time.UTC)) {
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
	if stale.ClosedAt.Year() != 2025 || fresh.ClosedAt.Year() != 2025 {
		t.Errorf("closed %s and %s, want 2025", stale.ClosedAt, fresh.ClosedAt)
	}
	// Intercom decided these surveys; the rules decide them in a replay
	// that clears the helpdesk, as the observed comparison does.
	closes := map[string]domain.Outcome{}
	w := domain.NewWorkspace()
	for _, ev := range sink.log {
		if ev.Conv != "old1" && ev.Conv != "old2" {
			continue
		}
		if ev.Kind == domain.EvStart {
			ev.By = ""
		}
		if o, err := w.Apply(ev); err == nil && ev.Kind == domain.EvClose {
			closes[ev.Conv] = o
		}
	}
	if o := closes["old1"]; !o.Has(domain.CodeStale) || o.Decision == domain.DecisionSent {
		t.Errorf("the 2025 close 10 days after the reply was not judged stale: %+v", o)
	}
	if o := closes["old2"]; o.Decision != domain.DecisionSent {
		t.Errorf("the 2025 close a day after the reply sent no survey: %+v", o)
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

func TestText(t *testing.T) {
	cases := map[string]string{
		"<p>Hi&nbsp;there</p><p>you</p>":                           "Hi there you",
		"I&#39;ll  be  <b>back</b>":                                "I'll be back",
		"plain 😀":                                                  "plain 😀",
		"<p>Chlo<b>é</b> D<i>u</i>bois</p>":                        "Chloé Dubois", // inline tags join
		"<div>one</div><div>two</div>line<br>break":                "one two line break",
		"<p>a</p><style>p{color:red}</style><script>x()</script>b": "a b",
		"<p>Fish &amp; chips &lt;3</p>":                            "Fish & chips <3",
		"Is 3 < 5 and 7 > 2? Ask AT&T.":                            "Is 3 < 5 and 7 > 2? Ask AT&T.", // plain: kept as written
		"a <3 b > c":                                               "a <3 b > c",
		"<!-- hidden --><p>shown</p>":                              "shown",
		"":                                                         "",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPartsOrderByTimeThenID(t *testing.T) {
	parts := []Part{{ID: "12", CreatedAt: 5}, {ID: "9", CreatedAt: 5}, {ID: "1", CreatedAt: 7}, {ID: "b", CreatedAt: 5}, {ID: "a", CreatedAt: 5}}
	sort.SliceStable(parts, func(i, j int) bool { return lessPart(parts[i], parts[j]) })
	var got []string
	for _, p := range parts {
		got = append(got, string(p.ID))
	}
	if strings.Join(got, ",") != "9,12,a,b,1" {
		t.Fatalf("order %v", got)
	}
}

func TestWhoIsWho(t *testing.T) {
	plain := newPeople(&Conversation{})
	withFin := newPeople(&Conversation{AIAgentParticipated: true})
	cases := []struct {
		p    *people
		ref  Ref
		want domain.Actor
	}{
		{plain, Ref{Type: "admin", ID: "5017001", Name: "Chloé Dubois"}, domain.Teammate("5017001")},
		{plain, Ref{Type: "admin", ID: "274", Name: "Operator", Email: "operator+abcd1234@intercom.io"}, Operator},
		{plain, Ref{Type: "admin", ID: "275", Name: "Operator", Email: "someone@example.com"}, domain.Teammate("275")},
		{plain, Ref{Type: "bot", ID: "274", Name: "Operator"}, Operator},
		{plain, Ref{Type: "bot", ID: "278", Name: "Fin"}, domain.Fin},
		{plain, Ref{Type: "bot", ID: "279", Name: "Fin AI Agent"}, domain.Fin},
		{plain, Ref{Type: "admin", ID: "280", Name: "Helper", FromAIAgent: true}, domain.Fin},
		{plain, Ref{Type: "bot", ID: "281", Name: "Helper", IsAIAnswer: true}, domain.Fin},
		{withFin, Ref{Type: "bot", ID: "282"}, domain.Fin},
		{plain, Ref{Type: "bot", ID: "282"}, domain.Workflow},
		{plain, Ref{Type: "bot", ID: "9001", Name: "Onboarding Bot"}, domain.Actor{Kind: domain.KindWorkflow, Name: "bot-9001"}},
		{plain, Ref{Type: "team", ID: "77", Name: "Support"}, domain.Workflow},
		{plain, Ref{Type: "contact", ID: "c1"}, domain.User("c1")},
		{plain, Ref{Type: "lead", ID: "c2"}, domain.Lead("c2")},
	}
	for _, c := range cases {
		got, ok := c.p.actor(&c.ref)
		if !ok || got != c.want {
			t.Errorf("%+v → %v %v, want %v", c.ref, got, ok, c.want)
		}
		if got.IsBot() == got.IsTeammate() && got.IsAgent() {
			t.Errorf("%v is both or neither of bot and teammate", got)
		}
	}
	// A lead who signs up mid-conversation stays the lead it was first.
	p := newPeople(&Conversation{})
	p.learn(&Ref{Type: "lead", ID: "c3"}, 10)
	p.learn(&Ref{Type: "user", ID: "c3"}, 20)
	if a, _ := p.actor(&Ref{Type: "user", ID: "c3"}); a != domain.Lead("c3") {
		t.Errorf("signed-up lead is %v", a)
	}
}

func TestConversationListWithoutPartsIsRefused(t *testing.T) {
	recs := ReadBytes("list.json", []byte(`{"type":"conversation.list","conversations":[{"type":"conversation","id":"1","created_at":1772442000,"contacts":{"contacts":[{"type":"contact","id":"x"}]}}]}`))
	if len(recs) != 1 || recs[0].Err == nil || !strings.Contains(recs[0].Err.Error(), "csat sync intercom") {
		t.Fatalf("records %+v", recs)
	}
}

func TestMapV1OpeningFinRatingAndTruncation(t *testing.T) {
	rating := 4
	c := Conversation{ID: "9", CreatedAt: 1772442000, User: &Ref{Type: "user", ID: "u1"},
		ConversationMessage: &Source{Type: "conversation_message", Body: "Hello there", Author: &Ref{Type: "user", ID: "u1"}},
		Parts:               &PartList{TotalCount: 501, Parts: []Part{{ID: "1", PartType: "close", Body: "<p>Bye</p>", CreatedAt: 1772442100, Author: &Ref{Type: "admin", ID: "7", Name: "山田 太郎"}}}},
		AIAgent:             &AIAgent{Rating: &rating, RatingRemark: "ok", CreatedAt: 1772442100, UpdatedAt: 1772442200}}
	p, err := Map(&c)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		got = append(got, s.Event.Kind.String()+" "+s.Event.Actor.String()+s.Event.Agent.String()+" "+s.Event.Text)
	}
	// The v1 opening is a message; a reply-and-close says, then closes.
	want := []string{"start user:u1 ", "say user:u1 Hello there", "say 7 Bye", "close 7 ", "name 7 山田 太郎", "observe user:u1fin ok"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("steps %q, want %q", got, want)
	}
	if !p.Truncated {
		t.Error("total_count 501 with one part listed is not flagged")
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
	if d.Conv != "1296" || d.Agent != domain.Teammate("991267391") || !strings.HasPrefix(d.Rules, "skipped: too_short (") {
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

func TestDirectoryNamesAdminsAndRecordsBots(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	steps, aliases := directorySteps([]Ref{
		{Type: "admin", ID: "274", Name: "Operator", Email: "operator+abcd1234@intercom.io"},
		{Type: "admin", ID: "5017001", Name: "Chloé Dubois", Email: "chloe@example.com"},
		{ID: "5017005", Name: "山田 太郎"},
	}, now)
	if len(steps) != 3 || len(aliases) != 1 || aliases[0] != "botadmin/274=operator" {
		t.Fatalf("steps %+v aliases %v", steps, aliases)
	}
	want := map[domain.Actor][2]string{
		Operator:                   {"Operator", "operator+abcd1234@intercom.io"},
		domain.Teammate("5017001"): {"Chloé Dubois", "chloe@example.com"},
		domain.Teammate("5017005"): {"山田 太郎", ""},
	}
	for _, s := range steps {
		ev := s.Event
		if w, ok := want[ev.Actor]; !ok || ev.Kind != domain.EvName || ev.Text != w[0] || ev.By != w[1] || !ev.At.Equal(now) {
			t.Errorf("step %+v", ev)
		}
	}
}
