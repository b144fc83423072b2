//go:build linux

package store

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"
)

// keyRecorder is a store's onEntry during a load: it gathers each
// commit's entries and, once the commit is whole, counts them by family
// and writes them to the key stream (when it has one).
//
// A commit's entries end with !meta and, in a load, !load. A batch that
// Badger found too big stops part-way, before !meta, and is staged again
// in parts from its first event (commit.go, journal.go): an l/ key not
// after the last one seen says so, and the entries of the stopped stage,
// which never committed, are dropped. The journal of such a batch is
// written around onEntry and is not in the stream; stopped counts them.
type keyRecorder struct {
	w        *streamWriter
	cur      streamCommit
	metaSeen bool
	lastLog  uint64
	commits  int
	stopped  int
	counts   familyCounts
	err      error
}

func (r *keyRecorder) observe(k, v []byte) {
	if r.metaSeen {
		r.metaSeen = false
		if string(k) == string(keyLoad) {
			r.add(k, v)
			r.end()
			return
		}
		r.end()
	}
	if len(k) == seqKeyLen && k[0] == pLog && k[1] == '/' {
		seq := binary.BigEndian.Uint64(k[2:])
		if seq <= r.lastLog {
			r.stopped++
			r.cur.events, r.cur.keys, r.cur.entries = 0, r.cur.keys[:0], r.cur.entries[:0]
		}
		r.lastLog = seq
		r.cur.events++
	}
	r.add(k, v)
	r.metaSeen = string(k) == string(keyMeta)
}

func (r *keyRecorder) add(k, v []byte) {
	n := -1 // a delete
	if v != nil {
		n = len(v)
		if r.w != nil {
			r.w.sample(k, v)
		}
	}
	r.cur.add(k, n)
}

// end closes the commit gathered so far.
func (r *keyRecorder) end() {
	if len(r.cur.entries) == 0 {
		return
	}
	r.commits++
	r.counts.add(&r.cur)
	if r.w != nil && r.err == nil {
		r.err = r.w.write(&r.cur)
	}
	r.cur.events, r.cur.keys, r.cur.entries = 0, r.cur.keys[:0], r.cur.entries[:0]
}

// finish closes the last commit, if it reached !meta, and the stream.
func (r *keyRecorder) finish() error {
	if r.metaSeen {
		r.end()
	}
	if r.w == nil || r.err != nil {
		return r.err
	}
	return r.w.close()
}

// familyCounts counts a load's entries by family: the key's first byte,
// or the whole key for the singletons (!meta, !load).
type familyCounts struct {
	events int
	fams   map[string]*familyCount
}

type familyCount struct{ puts, deletes, keyBytes, valueBytes int }

func familyOf(k []byte) string {
	switch {
	case len(k) == 0:
		return "(empty)"
	case k[0] == '!':
		return string(k)
	case len(k) > 1 && k[1] == '/':
		return string(k[:2])
	}
	return string(k[:1])
}

func (fc *familyCounts) add(c *streamCommit) {
	if fc.fams == nil {
		fc.fams = map[string]*familyCount{}
	}
	fc.events += c.events
	for _, e := range c.entries {
		k := c.key(e)
		f := fc.fams[familyOf(k)]
		if f == nil {
			f = &familyCount{}
			fc.fams[familyOf(k)] = f
		}
		f.keyBytes += len(k)
		if e.valueLen < 0 {
			f.deletes++
			continue
		}
		f.puts++
		f.valueBytes += int(e.valueLen)
	}
}

// write prints the entries an event by family, and the bytes an entry.
func (fc *familyCounts) write(w io.Writer) {
	names := make([]string, 0, len(fc.fams))
	for n := range fc.fams {
		names = append(names, n)
	}
	sort.Strings(names)
	ev := float64(max(fc.events, 1))
	var tot familyCount
	fmt.Fprintf(w, "%-8s %12s %12s %10s %10s %10s %10s\n", "family", "puts", "deletes", "puts/ev", "dels/ev", "key B/ent", "val B/put")
	for _, n := range names {
		f := fc.fams[n]
		tot.puts, tot.deletes, tot.keyBytes, tot.valueBytes = tot.puts+f.puts, tot.deletes+f.deletes, tot.keyBytes+f.keyBytes, tot.valueBytes+f.valueBytes
		writeFamily(w, strings.ToValidUTF8(n, "?"), f, ev)
	}
	writeFamily(w, "all", &tot, ev)
	fmt.Fprintf(w, "events %d\n", fc.events)
}

func writeFamily(w io.Writer, name string, f *familyCount, ev float64) {
	fmt.Fprintf(w, "%-8s %12d %12d %10.3f %10.3f %10.1f %10.1f\n", name, f.puts, f.deletes,
		float64(f.puts)/ev, float64(f.deletes)/ev,
		float64(f.keyBytes)/float64(max(f.puts+f.deletes, 1)), float64(f.valueBytes)/float64(max(f.puts, 1)))
}
