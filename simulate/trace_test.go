package simulate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
)

func mustParse(t *testing.T, name, src string) *Script {
	t.Helper()
	s, err := Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func humanTrace(t *testing.T, s *Script, opt Options) string {
	t.Helper()
	var out bytes.Buffer
	opt.OnStep = (&HumanTrace{W: &out}).Step
	if _, err := Run(s, NewMemory(), opt); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// The trace line of SCENARIOS.md's "Running" section, with its details.
func TestHumanTraceOfASkippedClose(t *testing.T) {
	s := mustParse(t, "run.csat", `clock 2026-03-02T07:14:00Z
start c1 user:alice
say c1 user:alice "`+strings.Repeat("x", 150)+`"
say c1 bob "`+strings.Repeat("y", 62)+`"
clock 2026-03-10T09:14:00Z
close c1 bob
expect skipped too_short stale
`)
	want := `── Mon 2026-03-02 ──
07:14 clock 2026-03-02T07:14:00Z
07:14 start c1 user:alice
07:14 say c1 user:alice "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"
07:14 say c1 bob "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…"
── Tue 2026-03-10 ──
09:14 clock 2026-03-10T09:14:00Z
09:14 close c1 by bob → skipped: too_short (212/250 chars), stale (8d 2h since last reply)
09:14 expect skipped too_short stale → ok
`
	if got := humanTrace(t, s, Options{}); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Snoozes that end during a wait, or exactly at the new time, wake in order,
// each at its own time; one that ends later stays asleep.
func TestWakeUpsInOrder(t *testing.T) {
	s := mustParse(t, "wake.csat", `clock 2026-03-02T09:00:00Z
start a user:ann
start b user:ben
start c user:cat
snooze a bob 2h
snooze b bob 30m
snooze c bob 2h1s
wait 2h
wait 1s
`)
	got := humanTrace(t, s, Options{})
	want := `09:30 b wakes up → snooze ended
11:00 a wakes up → snooze ended
11:00 wait 2h
11:00:01 c wakes up → snooze ended
11:00:01 wait 1s
`
	if !strings.HasSuffix(got, want) {
		t.Errorf("got:\n%s\nwant it to end with:\n%s", got, want)
	}
	if !strings.Contains(got, "09:00 snooze a bob 2h → snoozed until 11:00\n") {
		t.Errorf("snooze line missing its end:\n%s", got)
	}
}

func TestJSONTrace(t *testing.T) {
	s := mustParse(t, "j.csat", "start c1 user:ann\nclose c1 bob\nexpect skipped too_short\nexpect sent\n"+
		"rate c1 user:ann 9\nexpect refused no_request invalid_rating\n")
	var out bytes.Buffer
	res, err := Run(s, NewMemory(), Options{OnStep: (&JSONTrace{W: &out}).Step})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 1 {
		t.Errorf("failures: %v", res.Failures)
	}
	var steps []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		steps = append(steps, m)
	}
	if len(steps) != 6 {
		t.Fatalf("want one object per command, got %d", len(steps))
	}
	closeStep := steps[1]
	for k, want := range map[string]any{"file": "j.csat", "line": 2.0, "cmd": "close", "conv": "c1", "outcome": "skipped",
		"at": "2026-01-01T00:00:00Z"} {
		if closeStep[k] != want {
			t.Errorf("close %s = %v, want %v", k, closeStep[k], want)
		}
	}
	if r := closeStep["reasons"].([]any); len(r) != 2 || r[0] != "no_teammate_reply" || r[1] != "too_short" {
		t.Errorf("reasons %v", r)
	}
	if d := closeStep["details"].([]any); len(d) != 2 || d[1] != "0/250 chars" {
		t.Errorf("details %v", d)
	}
	if steps[2]["ok"] != true || steps[3]["ok"] != false {
		t.Errorf("expect steps: %v / %v", steps[2], steps[3])
	}
	if msg, _ := steps[3]["message"].(string); !strings.HasPrefix(msg, "expected sent, got skipped: no_teammate_reply") {
		t.Errorf("message %q", msg)
	}
	if steps[4]["outcome"] != "refused" || steps[5]["ok"] != true {
		t.Errorf("rate %v, expect %v", steps[4], steps[5])
	}
}

func TestJSONTraceSent(t *testing.T) {
	s := mustParse(t, "j.csat", "start c1 user:ann\n"+long+"close c1 bob\n")
	var out bytes.Buffer
	if _, err := Run(s, NewMemory(), Options{OnStep: (&JSONTrace{W: &out}).Step}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatal(err)
	}
	if m["outcome"] != "sent" || m["to"] != "bob" || m["reasons"] != nil {
		t.Errorf("sent step %v", m)
	}
}

func TestHeadersPerFile(t *testing.T) {
	var out bytes.Buffer
	h := &HumanTrace{W: &out, Headers: true}
	for _, name := range []string{"a.csat", "b.csat"} {
		if _, err := Run(mustParse(t, name, "start c1 user:ann\n"), NewMemory(), Options{OnStep: h.Step}); err != nil {
			t.Fatal(err)
		}
	}
	want := "== a.csat ==\n── Thu 2026-01-01 ──\n00:00 start c1 user:ann\n\n== b.csat ==\n── Thu 2026-01-01 ──\n00:00 start c1 user:ann\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

const directScript = `profile operator
start d1 user:ann direct by bob
say d1 bob "` + "%s" + `"
close d1 bob
expect skipped not_customer_started
start i1 user:ann
say i1 user:ann "hi"
close i1 bob
`

// --profile wins over the script's profile lines.
func TestProfileOverride(t *testing.T) {
	s := mustParse(t, "o.csat", strings.Replace(directScript, "%s", strings.Repeat("z", 260), 1))
	intercom := domain.ProfileIntercom
	var out bytes.Buffer
	res, err := Run(s, NewMemory(), Options{Profile: &intercom, OnStep: (&HumanTrace{W: &out}).Step})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 1 || res.Failures[0].Line != 5 {
		t.Errorf("under intercom the operator expectation must fail: %v", res.Failures)
	}
	for _, want := range []string{"profile operator → ignored: --profile intercom is in force", "close d1 by bob → sent to bob"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("trace lacks %q:\n%s", want, out.String())
		}
	}
	// The same parsed script runs again, unchanged, on another backend.
	res, err = Run(s, NewMemory(), Options{})
	if err != nil || len(res.Failures) != 0 {
		t.Errorf("second run: %v %v", err, res.Failures)
	}
}

func TestDiff(t *testing.T) {
	s := mustParse(t, "d.csat", strings.Replace(directScript, "%s", strings.Repeat("z", 260), 1))
	diffs, err := Diff(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 {
		t.Fatalf("want one difference (line 4), got %+v", diffs)
	}
	want := Difference{Line: 4, Command: "close d1 by bob", Intercom: "sent to bob",
		Operator: "skipped: not_customer_started (origin direct)"}
	if diffs[0] != want {
		t.Errorf("got %+v\nwant %+v", diffs[0], want)
	}
	var out bytes.Buffer
	if err := WriteDiff(&out, "d.csat", diffs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "d.csat:4  close d1 by bob  sent to bob  skipped: not_customer_started (origin direct)") {
		t.Errorf("table:\n%s", out.String())
	}
	out.Reset()
	WriteDiff(&out, "same.csat", nil)
	if !strings.Contains(out.String(), "every outcome is the same") {
		t.Errorf("no-difference text: %q", out.String())
	}
}

func TestDiffReportsScriptErrors(t *testing.T) {
	if _, err := Diff(mustParse(t, "e.csat", "start c1 user:ann\nreopen c1 bob\n")); err == nil || !strings.HasPrefix(err.Error(), "e.csat:2:8: ") {
		t.Errorf("got %v", err)
	}
}
