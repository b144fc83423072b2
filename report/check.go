package report

import "github.com/csat-app/csat/store"

// CheckAnswer is what `POST /api/check` answers: the log's length when the
// check ran and every difference found.
type CheckAnswer struct {
	Seq         uint64       `json:"seq"`
	Differences []Difference `json:"differences"`
}

// Difference is one key where the stored state disagrees with a replay of
// the log; Stored or Replayed is "" when that side lacks the key.
type Difference struct {
	Key      string `json:"key"`
	Stored   string `json:"stored"`
	Replayed string `json:"replayed"`
}

// NewCheckAnswer is the contract's view of a check's result.
func NewCheckAnswer(seq uint64, diffs []store.Difference) CheckAnswer {
	a := CheckAnswer{Seq: seq, Differences: make([]Difference, 0, len(diffs))}
	for _, d := range diffs {
		a.Differences = append(a.Differences, Difference{Key: d.Key, Stored: d.Stored, Replayed: d.Replayed})
	}
	return a
}

// Store gives the differences back as the store reports them.
func (a CheckAnswer) Store() []store.Difference {
	out := make([]store.Difference, 0, len(a.Differences))
	for _, d := range a.Differences {
		out = append(out, store.Difference{Key: d.Key, Stored: d.Stored, Replayed: d.Replayed})
	}
	return out
}
