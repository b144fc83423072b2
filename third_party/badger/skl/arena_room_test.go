package skl

import (
	"testing"

	"github.com/dgraph-io/badger/v4/y"
)

// An arena's puts fit up to its last byte, and read back as put (past
// it, checkRoom ends the process, as upstream's assertion does).
func TestArenaPutsFitToTheLastByte(t *testing.T) {
	v := y.ValueStruct{Value: []byte("value"), Meta: 1}
	a := newArena(int64(1 + 10 + int(v.EncodedSize())))
	k := a.putKey([]byte("0123456789"))
	off := a.putVal(v)
	if a.size() != int64(len(a.buf)) {
		t.Fatalf("arena holds %d of %d bytes", a.size(), len(a.buf))
	}
	if got := string(a.getKey(k, 10)); got != "0123456789" {
		t.Errorf("key read back %q", got)
	}
	if got := a.getVal(off, v.EncodedSize()); string(got.Value) != "value" || got.Meta != 1 {
		t.Errorf("value read back %+v", got)
	}
}
