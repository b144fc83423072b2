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
	got := r.String()
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
	if got := r.String(); strings.Count(got, "-") != 9 {
		t.Errorf("String() = %q, want nine tenths without a rate", got)
	}
}
