package main

import (
	"fmt"
	"strings"
	"time"
)

// tenthRates times each tenth of a load, so that its summary shows whether
// ingest slows as the store grows. Tenths are of the generator's running
// estimate of the total, exact at the end.
type tenthRates struct {
	start time.Time
	at    []time.Time
	done  []int
}

func newTenthRates() *tenthRates { return &tenthRates{start: time.Now()} }

// observe is a progress callback; then, when not nil, passes the call on.
func (r *tenthRates) observe(then func(done, total int)) func(done, total int) {
	return func(done, total int) {
		for total > 0 && len(r.at) < 10 && done*10 >= total*(len(r.at)+1) {
			r.at = append(r.at, time.Now())
			r.done = append(r.done, done)
		}
		if then != nil {
			then(done, total)
		}
	}
}

// String lists the events per second of each tenth, "" before a whole run.
func (r *tenthRates) String() string {
	if len(r.at) < 10 {
		return ""
	}
	rates := make([]string, len(r.at))
	from, was := r.start, 0
	for i, t := range r.at {
		// One batch can cross several tenths: the events count in the last.
		rates[i] = "-"
		if s := t.Sub(from).Seconds(); s > 0 && r.done[i] > was {
			rates[i] = fmt.Sprintf("%.0f", float64(r.done[i]-was)/s)
			from, was = t, r.done[i]
		}
	}
	return "; by tenth: " + strings.Join(rates, " ")
}
