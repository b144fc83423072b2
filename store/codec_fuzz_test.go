package store

import (
	"errors"
	"reflect"
	"testing"
)

// A log entry's two decoders, the whole one and the replay's (which reads
// past the outcome, skipOutcome), agree on any bytes: both fail, or both
// read the same event; neither panics, whatever a length or a count in
// the bytes says.
func FuzzDecodeLogEntry(f *testing.F) {
	s := openMem(f)
	evs := everyKind()
	outs, err := s.ApplyBatch(evs)
	if err != nil {
		f.Fatal(err)
	}
	for i := range evs {
		v := encodeLogEntry(&evs[i], &outs[i])
		f.Add(v)
		f.Add(v[:len(v)/2])
	}
	f.Add([]byte{recordFormat})
	f.Fuzz(func(t *testing.T, v []byte) {
		ev, _, errWhole := decodeLogEntry(v, 7)
		replayed, errReplay := decodeLoggedEvent(v, 7)
		switch {
		case (errWhole == nil) != (errReplay == nil):
			t.Fatalf("the whole decoder says %v, the replay's %v", errWhole, errReplay)
		case errWhole != nil:
			if !errors.Is(errReplay, errCorrupt) && !errors.Is(errReplay, errNewerRecord) {
				t.Fatalf("the replay's error %v says neither corrupt nor newer", errReplay)
			}
		case !reflect.DeepEqual(ev, replayed):
			t.Fatalf("the whole decoder read %+v, the replay's %+v", ev, replayed)
		}
	})
}
