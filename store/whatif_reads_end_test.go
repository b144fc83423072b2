package store

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
)

// logReaders counts the goroutines readLogEntries started that are still
// running, from every goroutine's stack (as goleak does).
func logReaders() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "store.readLogEntries") {
			n++
		}
	}
	return n
}

// The what-if's log readers end, and end the snapshot, whatever the
// replay does with them: it reads them all, stops at an error of its own
// (a yield's), meets a reader's error, or never reads them. They never
// wait for the replay (their channels hold every chunk), so none is left
// once the snapshot has ended. They do not stop early either: a replay
// that gives up leaves them reading to the end of their halves.
func TestLogReadersEndWhateverTheReplayDoes(t *testing.T) {
	inSmallChunks(t)
	s := openMem(t)
	evs := withoutObserved(randomEvents(6, 300))
	if _, err := s.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	seqs := make([]uint64, len(evs))
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	stop := errors.New("the replay stops")
	for _, c := range []struct {
		name string
		seqs []uint64
		read func(each func(yield func(domain.Event) error) error) error
		want error
	}{
		{"read whole", seqs, func(each func(func(domain.Event) error) error) error {
			return each(func(domain.Event) error { return nil })
		}, nil},
		{"the replay's error", seqs, func(each func(func(domain.Event) error) error) error {
			return each(func(domain.Event) error { return stop })
		}, stop},
		{"a reader's error", append(append([]uint64(nil), seqs...), uint64(len(seqs)+5)), func(each func(func(domain.Event) error) error) error {
			return each(func(domain.Event) error { return nil })
		}, errCorrupt},
		{"never read", seqs, func(func(func(domain.Event) error) error) error { return nil }, nil},
	} {
		txn, _, done := s.snapshot()
		ended := make(chan struct{})
		r := readLogEntries(txn, c.seqs, func() { done(); close(ended) })
		if err := c.read(r.each); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
		<-ended // a reader stuck on its channel would hang the test here
		// done is the readers' last work: what is left of theirs returns.
		for i := 0; logReaders() > 0; i++ {
			if i == 1000 {
				t.Fatalf("%s: %d of the log's readers still run after the snapshot ended", c.name, logReaders())
			}
			runtime.Gosched()
		}
	}
}
