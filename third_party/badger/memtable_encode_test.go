package badger

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/dgraph-io/badger/v4/y"
)

// upstreamEncode is encodeEntry as upstream writes an unencrypted entry:
// through a hash and an io.MultiWriter.
func upstreamEncode(buf *bytes.Buffer, e *Entry) int {
	h := header{klen: uint32(len(e.Key)), vlen: uint32(len(e.Value)), expiresAt: e.ExpiresAt, meta: e.meta, userMeta: e.UserMeta}
	hash := crc32.New(y.CastagnoliCrcTable)
	writer := io.MultiWriter(buf, hash)
	var headerEnc [maxHeaderSize]byte
	sz := h.Encode(headerEnc[:])
	y.Check2(writer.Write(headerEnc[:sz]))
	y.Check2(writer.Write(e.Key))
	y.Check2(writer.Write(e.Value))
	var crcBuf [crc32.Size]byte
	binary.BigEndian.PutUint32(crcBuf[:], hash.Sum32())
	y.Check2(buf.Write(crcBuf[:]))
	return sz + len(e.Key) + len(e.Value) + len(crcBuf)
}

// The write-ahead entries are the bytes upstream writes, after other
// entries in the same buffer too, and decode back to the entry.
func TestEncodeEntryWritesUpstreamBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var lf logFile
	var got, want bytes.Buffer
	for i := 0; i < 2000; i++ {
		k := make([]byte, r.IntN(40))
		v := make([]byte, r.IntN(600))
		for j := range k {
			k[j] = byte(r.Uint32())
		}
		for j := range v {
			v[j] = byte(r.Uint32())
		}
		e := &Entry{Key: y.KeyWithTs(k, r.Uint64()), Value: v, ExpiresAt: r.Uint64() % 3, meta: byte(r.Uint32()), UserMeta: byte(r.Uint32())}
		from := got.Len()
		n, err := lf.encodeEntry(&got, e, 0)
		if err != nil {
			t.Fatal(err)
		}
		if m := upstreamEncode(&want, e); n != m || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("entry %d: %d bytes, upstream %d, or other bytes", i, n, m)
		}
		back, err := lf.decodeEntry(got.Bytes()[from:], 0)
		if err != nil || !bytes.Equal(back.Key, e.Key) || !bytes.Equal(back.Value, e.Value) {
			t.Fatalf("entry %d decodes as %v (%v)", i, back, err)
		}
	}
}
