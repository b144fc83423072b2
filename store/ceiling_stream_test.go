//go:build linux

package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
)

// A key stream is what a load committed, commit by commit: each entry's
// key and the length of its value (or that it was a delete), so that a
// bare Badger writer can write the same keys in the same order and the
// same commits, with filler values of the same sizes. The full realistic
// load is about 140 million entries: each key is written as the bytes it
// shares with the key before it of the same first byte (the family) and
// the rest, and the whole stream is zstd-compressed (a few hundred MB).
//
//	stream  := commit*
//	commit  := uvarint(events) uvarint(entries) entry*
//	entry   := family uvarint(shared) uvarint(len(rest)) rest uvarint(value)
//	value   := 0 for a delete, len(value)+1 for a put
//
// Beside it, PATH.values holds a sample of each family's real values
// (family uvarint(len) bytes, repeated): the filler is cut from it, so
// that Badger's block compression sees values that compress as the real
// ones do, not zeros.

// streamEntry is one entry of a commit: its key is keyLen bytes at
// keyOff in the commit's keys; valueLen < 0 is a delete.
type streamEntry struct {
	keyOff, keyLen int32
	valueLen       int32
}

// streamCommit is one commit of a stream: its entries' keys share keys.
type streamCommit struct {
	events  int
	keys    []byte
	entries []streamEntry
}

func (c *streamCommit) key(e streamEntry) []byte {
	return c.keys[e.keyOff : e.keyOff+e.keyLen : e.keyOff+e.keyLen]
}

func (c *streamCommit) add(k []byte, valueLen int) {
	c.entries = append(c.entries, streamEntry{keyOff: int32(len(c.keys)), keyLen: int32(len(k)), valueLen: int32(valueLen)})
	c.keys = append(c.keys, k...)
}

// valueSampleSize is how much of each family's values the sample keeps.
const valueSampleSize = 1 << 20

// streamWriter writes a key stream.
type streamWriter struct {
	path    string
	f       *os.File
	zw      *zstd.Encoder
	bw      *bufio.Writer
	prev    [256][]byte
	buf     []byte
	samples [256][]byte
}

func createStream(path string) (*streamWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	// One encoder goroutine: the recorder must not take the core the
	// store's pipeline uses.
	zw, err := zstd.NewWriter(f, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &streamWriter{path: path, f: f, zw: zw, bw: bufio.NewWriterSize(zw, 1<<20)}, nil
}

// sample keeps the start of a family's values for the filler.
func (w *streamWriter) sample(k, v []byte) {
	if len(k) == 0 || len(v) == 0 {
		return
	}
	s := &w.samples[k[0]]
	if room := valueSampleSize - len(*s); room > 0 {
		*s = append(*s, v[:min(room, len(v))]...)
	}
}

func (w *streamWriter) write(c *streamCommit) error {
	b := binary.AppendUvarint(w.buf[:0], uint64(c.events))
	b = binary.AppendUvarint(b, uint64(len(c.entries)))
	for _, e := range c.entries {
		k := c.key(e)
		fam := k[0]
		shared := commonPrefix(w.prev[fam], k)
		b = append(b, fam)
		b = binary.AppendUvarint(b, uint64(shared))
		b = binary.AppendUvarint(b, uint64(len(k)-shared))
		b = append(b, k[shared:]...)
		b = binary.AppendUvarint(b, uint64(e.valueLen+1))
		w.prev[fam] = append(w.prev[fam][:0], k...)
	}
	w.buf = b
	_, err := w.bw.Write(b)
	return err
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// close ends the stream and writes the value sample beside it.
func (w *streamWriter) close() error {
	err := errors.Join(w.bw.Flush(), w.zw.Close(), w.f.Close())
	if err != nil {
		return err
	}
	var b []byte
	for fam, s := range w.samples {
		if len(s) > 0 {
			b = append(b, byte(fam))
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return os.WriteFile(w.path+".values", b, 0o644)
}

// streamReader reads a key stream back.
type streamReader struct {
	f    *os.File
	zr   *zstd.Decoder
	br   *bufio.Reader
	prev [256][]byte
}

func openStream(path string) (*streamReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &streamReader{f: f, zr: zr, br: bufio.NewReaderSize(zr, 1<<20)}, nil
}

// next reads the next commit into a new streamCommit (Badger may hold its
// keys after the commit returns); io.EOF ends the stream.
func (r *streamReader) next() (*streamCommit, error) {
	events, err := binary.ReadUvarint(r.br)
	if err != nil {
		return nil, err // io.EOF at a commit's start: the end
	}
	n, err := binary.ReadUvarint(r.br)
	if err != nil {
		return nil, unexpected(err)
	}
	c := &streamCommit{events: int(events), entries: make([]streamEntry, 0, n), keys: make([]byte, 0, 24*n)}
	var key []byte
	for range n {
		fam, err := r.br.ReadByte()
		if err != nil {
			return nil, unexpected(err)
		}
		shared, err1 := binary.ReadUvarint(r.br)
		rest, err2 := binary.ReadUvarint(r.br)
		if err := errors.Join(err1, err2); err != nil || shared > uint64(len(r.prev[fam])) {
			return nil, fmt.Errorf("a corrupt key stream: %w", unexpected(err))
		}
		key = append(append(key[:0], r.prev[fam][:shared]...), make([]byte, rest)...)
		if _, err := io.ReadFull(r.br, key[shared:]); err != nil {
			return nil, unexpected(err)
		}
		v, err := binary.ReadUvarint(r.br)
		if err != nil {
			return nil, unexpected(err)
		}
		r.prev[fam] = append(r.prev[fam][:0], key...)
		c.add(key, int(v)-1)
	}
	return c, nil
}

func unexpected(err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (r *streamReader) close() error {
	r.zr.Close()
	return r.f.Close()
}

// fillers cuts filler values from each family's sample of real values.
// dropped families are not written at all (the benchmark's
// CSAT_CEILING_DROP).
type fillers struct {
	pool    [256][]byte
	off     [256]int
	dropped [256]bool
}

func readFillers(path string) (*fillers, error) {
	b, err := os.ReadFile(path + ".values")
	if err != nil {
		return nil, err
	}
	var f fillers
	for len(b) > 0 {
		fam := b[0]
		n, w := binary.Uvarint(b[1:])
		if w <= 0 || uint64(len(b)-1-w) < n {
			return nil, fmt.Errorf("%s.values: a corrupt sample", path)
		}
		f.pool[fam] = b[1+w : 1+w+int(n)]
		b = b[1+w+int(n):]
	}
	for fam, s := range f.pool {
		// Repeated to the sample's size; a family with no value has none
		// (a pool for each of the 256 first bytes would hold 256 MiB, more
		// than the heap's limit).
		for len(s) > 0 && len(s) < valueSampleSize {
			s = append(s, s...)
		}
		f.pool[fam] = s
	}
	return &f, nil
}

// value is a filler of n bytes for a key of family fam: the next n bytes
// of its sample, so that neighbouring values differ as real ones do.
func (f *fillers) value(fam byte, n int) []byte {
	p := f.pool[fam]
	if n > len(p) {
		return make([]byte, n) // no sample this long: zeros
	}
	if f.off[fam]+n > len(p) {
		f.off[fam] = 0
	}
	v := p[f.off[fam] : f.off[fam]+n : f.off[fam]+n]
	f.off[fam] += n
	return v
}
