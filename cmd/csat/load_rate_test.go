package main

import (
	"strings"
	"testing"
	"time"
)

func TestTenthRatesTimesEachTenthOfTheRun(t *testing.T) {
	r := newTenthRates()
	var passed []int
	progress := r.observe(func(done, _ int) { passed = append(passed, done) })
	if r.String() != "" {
		t.Fatalf("before the run: %q", r.String())
	}
	for done := 100; done <= 1000; done += 100 {
		time.Sleep(time.Millisecond) // each tenth must take some time to have a rate
		progress(done, 1000)
	}
	got, _, _ := strings.Cut(r.String(), "; CPU")
	if len(passed) != 10 {
		t.Errorf("the wrapped callback saw %v", passed)
	}
	if n := len(strings.Fields(strings.TrimPrefix(got, "; by tenth: "))); !strings.HasPrefix(got, "; by tenth: ") || n != 10 || strings.Contains(got, "-") {
		t.Errorf("String() = %q, want ten rates", got)
	}
	// One call crossing every tenth at once: nine tenths without a time of their own.
	r = newTenthRates()
	time.Sleep(time.Millisecond)
	r.observe(nil)(1000, 1000)
	if got, _, _ := strings.Cut(r.String(), "; CPU"); strings.Count(got, "-") != 9 {
		t.Errorf("String() = %q, want nine tenths without a rate", got)
	}
}

// On a shared machine the wall clock measures the other work too: each
// tenth also gives the CPU time the process spent per event in it, and
// nothing of the kind where the system does not say.
func TestTenthRatesGiveCPUPerEvent(t *testing.T) {
	var used time.Duration
	calls := 0
	clock := func() (time.Duration, bool) { // tenth k takes k ms
		used += time.Duration(calls) * time.Millisecond
		calls++
		return used, true
	}
	r := newTenthRatesWith(clock)
	progress := r.observe(nil)
	for done := 100; done <= 1000; done += 100 {
		time.Sleep(time.Millisecond)
		progress(done, 1000)
	}
	_, cpu, ok := strings.Cut(r.String(), "; CPU µs per event by tenth: ")
	if !ok {
		t.Fatalf("String() = %q, want the CPU per event", r.String())
	}
	if got := strings.Fields(cpu); strings.Join(got, " ") != "10.0 20.0 30.0 40.0 50.0 60.0 70.0 80.0 90.0 100.0" {
		t.Errorf("CPU µs per event by tenth = %q, want 10.0 to 100.0 (k ms for 100 events in tenth k)", cpu)
	}
	r = newTenthRatesWith(func() (time.Duration, bool) { return 0, false })
	time.Sleep(time.Millisecond)
	r.observe(nil)(1000, 1000)
	if got := r.String(); strings.Contains(got, "CPU") {
		t.Errorf("String() = %q without a CPU clock, want wall-clock rates only", got)
	}
}
