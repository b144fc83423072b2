package domain

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// mix builds n conversations of realistic traffic: most qualify and get
// rated, some are too short, some stale, some groups, some rated twice.
func mix(n int) []Event {
	evs := make([]Event, 0, n*9)
	at := t0
	tick := func(d time.Duration) time.Time { at = at.Add(d); return at }
	question := strings.Repeat("Our export fails with a timeout. ", 5)
	answer := strings.Repeat("A fix is rolling out now, sorry! ", 5)
	for i := 0; i < n; i++ {
		id := "c" + strconv.Itoa(i)
		cust := User("u" + strconv.Itoa(i%500))
		mate := Teammate("t" + strconv.Itoa(i%40))
		evs = append(evs, Event{Kind: EvStart, Conv: id, Actor: cust, At: tick(time.Second)})
		evs = append(evs, Event{Kind: EvSay, Conv: id, Actor: cust, Text: question, At: tick(time.Minute)})
		switch i % 10 {
		case 0: // too short
			evs = append(evs, Event{Kind: EvSay, Conv: id, Actor: mate, Text: "Fixed.", At: tick(time.Minute)})
		case 1: // group
			evs = append(evs, Event{Kind: EvAdd, Conv: id, Actor: Lead("x" + strconv.Itoa(i)), At: tick(time.Second)})
			evs = append(evs, Event{Kind: EvSay, Conv: id, Actor: mate, Text: answer, At: tick(time.Minute)})
		default:
			evs = append(evs, Event{Kind: EvNote, Conv: id, Actor: mate, Text: "checking logs", At: tick(time.Second)})
			evs = append(evs, Event{Kind: EvSay, Conv: id, Actor: mate, Text: answer, At: tick(time.Minute)})
		}
		evs = append(evs, Event{Kind: EvClose, Conv: id, Actor: mate, At: tick(time.Minute)})
		evs = append(evs, Event{Kind: EvRate, Conv: id, Actor: cust, Value: 1 + i%5, At: tick(time.Minute)})
		if i%4 == 0 {
			evs = append(evs, Event{Kind: EvRate, Conv: id, Actor: cust, Value: 5, At: tick(time.Minute)})
		}
		if i%3 == 0 {
			evs = append(evs, Event{Kind: EvComment, Conv: id, Actor: cust, Text: "thanks", At: tick(time.Second)})
		}
	}
	return evs
}

// BenchmarkApplyMix measures the engine on a realistic mix; the events/s
// metric is the one BENCHMARKS.md quotes (target: 2,000,000 on one core).
func BenchmarkApplyMix(b *testing.B) {
	evs := mix(20000)
	ws := NewWorkspace()
	b.ReportAllocs()
	b.ResetTimer()
	for i, j := 0, 0; i < b.N; i, j = i+1, j+1 {
		if j == len(evs) {
			b.StopTimer()
			ws, j = NewWorkspace(), 0
			b.StartTimer()
		}
		if _, err := ws.Apply(evs[j]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// closeSkipFixture returns a workspace whose conversation "c" is too short,
// so closing it skips, and a close/reopen pair to apply in turn.
func closeSkipFixture(tb testing.TB) (*Workspace, Event, Event) {
	ws := NewWorkspace()
	for _, ev := range []Event{
		{Kind: EvStart, Conv: "c", Actor: alice},
		{Kind: EvSay, Conv: "c", Actor: alice, Text: "hi"},
		{Kind: EvSay, Conv: "c", Actor: bob, Text: "hello"},
	} {
		if _, err := ws.Apply(ev); err != nil {
			tb.Fatal(err)
		}
	}
	return ws, Event{Kind: EvClose, Conv: "c", Actor: bob}, Event{Kind: EvReopen, Conv: "c", Actor: bob}
}

func BenchmarkCloseSkip(b *testing.B) {
	ws, closeEv, reopen := closeSkipFixture(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		o, _ := ws.Apply(closeEv)
		if o.Decision != DecisionSkipped {
			b.Fatal("close should skip")
		}
		ws.Apply(reopen)
	}
}

// TestCloseSkipDoesNotAllocate pins the promise behind BenchmarkCloseSkip:
// deciding a skip builds no strings and no slices.
func TestCloseSkipDoesNotAllocate(t *testing.T) {
	ws, closeEv, reopen := closeSkipFixture(t)
	allocs := testing.AllocsPerRun(1000, func() {
		o, _ := ws.Apply(closeEv)
		if !o.Has(CodeTooShort) {
			t.Fatal("close should skip as too short")
		}
		ws.Apply(reopen)
	})
	if allocs != 0 {
		t.Fatalf("a skipping close allocates %.1f times", allocs)
	}
}
