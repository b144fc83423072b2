package intercom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Record is one conversation read from an export, with where it came from.
// Err is set when the record is malformed; it is then never applied.
type Record struct {
	Source string // FILE:LINE (record N)
	Conv   Conversation
	Err    error
}

// ReadPath reads conversations from a file or, for a directory, from every
// *.json, *.jsonl and *.ndjson file in it, in name order. A file holds a
// JSON array, a conversation.list object, one object, or one object per
// line. The error is for a path that cannot be read at all.
func ReadPath(path string) ([]Record, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if !e.IsDir() && (ext == ".json" || ext == ".jsonl" || ext == ".ndjson") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no .json, .jsonl or .ndjson files", path)
		}
	}
	var recs []Record
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		recs = append(recs, ReadBytes(f, data)...)
	}
	return recs, nil
}

// ReadBytes splits one file's content into records.
func ReadBytes(name string, data []byte) []Record {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return []Record{{Source: name + ":1", Err: fmt.Errorf("empty file")}}
	}
	if trimmed[0] == '[' {
		return readArray(name, data)
	}
	if isJSONLines(data) {
		return readLines(name, data)
	}
	return readValue(name, data, 0, 1)
}

// isJSONLines tells one object per line from one object over many lines:
// the first non-blank line must hold a complete JSON value by itself, and
// another non-blank line must follow.
func isJSONLines(data []byte) bool {
	lines := bytes.Split(data, []byte("\n"))
	first := -1
	for i, l := range lines {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if first < 0 {
			first = i
			if !json.Valid(l) {
				return false
			}
			continue
		}
		return true
	}
	return false
}

func readLines(name string, data []byte) []Record {
	var recs []Record
	for i, l := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		recs = append(recs, readValue(name, l, i, len(recs)+1)...)
	}
	return recs
}

func readArray(name string, data []byte) []Record {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the '['
		return []Record{{Source: name + ":1", Err: err}}
	}
	var recs []Record
	lines := lineCounter{data: data, line: 1}
	for n := 1; dec.More(); n++ {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			line := lines.at(start)
			// A syntax error ends the array: nothing after it can be trusted.
			return append(recs, Record{Source: fmt.Sprintf("%s:%d (record %d)", name, line, n), Err: fmt.Errorf("malformed JSON: %v; the rest of the file is not read", err)})
		}
		// InputOffset is before any whitespace; find the value itself.
		off := start + int64(bytes.Index(data[start:], raw[:1]))
		line := lines.at(off)
		recs = append(recs, decodeRecord(fmt.Sprintf("%s:%d (record %d)", name, line, n), raw))
	}
	return recs
}

// lineCounter gives the line of increasing offsets in data, counting only
// the newlines since the last offset asked: an array of many records is
// read in time linear in its size.
type lineCounter struct {
	data []byte
	off  int64
	line int
}

func (c *lineCounter) at(off int64) int {
	off = min(off, int64(len(c.data)))
	if off > c.off {
		c.line += bytes.Count(c.data[c.off:off], []byte("\n"))
		c.off = off
	}
	return c.line
}

// readValue reads one JSON value starting at line lineBase (0-based).
func readValue(name string, data []byte, lineBase, n int) []Record {
	lead := len(data) - len(bytes.TrimLeft(data, " \t\r\n"))
	line, _ := position(data, int64(lead))
	src := fmt.Sprintf("%s:%d (record %d)", name, lineBase+line, n)
	var probe struct {
		Type          string            `json:"type"`
		Conversations []json.RawMessage `json:"conversations"`
	}
	if err := decode(data, &probe); err != nil {
		return []Record{{Source: src, Err: err}}
	}
	if probe.Type != "conversation.list" {
		return []Record{decodeRecord(src, data)}
	}
	var recs []Record
	for i, raw := range probe.Conversations {
		r := decodeRecord(fmt.Sprintf("%s:%d (conversations[%d])", name, lineBase+line, i), raw)
		if r.Err == nil && r.Conv.Parts == nil {
			r.Err = errListWithoutParts(r.Conv.ID)
		}
		recs = append(recs, r)
	}
	return recs
}

// errListWithoutParts refuses a conversation.list item without parts: GET
// /conversations lists conversations without their parts, and importing
// them would store empty conversations as if nothing had happened.
func errListWithoutParts(id FlexID) error {
	return fmt.Errorf("conversation %s has no conversation_parts: a conversation.list (GET /conversations) leaves parts out; fetch whole conversations with `csat sync intercom`", quote(string(id)))
}

func decodeRecord(src string, raw []byte) Record {
	var c Conversation
	if err := decode(raw, &c); err != nil {
		return Record{Source: src, Err: err}
	}
	if c.Type != "" && c.Type != "conversation" {
		return Record{Source: src, Err: fmt.Errorf("field type: %q, want conversation", c.Type)}
	}
	return Record{Source: src, Conv: c}
}

// ImportBatch is how many steps go into one transaction.
const ImportBatch = 1000

// Import maps every good record, orders all their steps by time, and
// applies them in batches. Records with Err set, that fail to map, or
// that hold a time more than domain.MaxAhead after clock (the receiving
// machine's) are returned as malformed, with their file and position, and
// contribute nothing. progress, if not nil, gets steps done and total.
func Import(in *Ingester, recs []Record, clock time.Time, progress func(done, total int)) (rep Report, malformed []Skip, err error) {
	var steps []Step
	var aliases []string
	for _, r := range recs {
		if r.Err != nil {
			malformed = append(malformed, Skip{What: r.Source, Reason: r.Err.Error()})
			continue
		}
		p, err := in.Map(&r.Conv)
		if err == nil {
			err = p.Ahead(clock)
		}
		if err != nil {
			malformed = append(malformed, Skip{What: r.Source, Reason: err.Error()})
			continue
		}
		steps = append(steps, p.Steps...)
		aliases = append(aliases, p.Aliases...)
		if p.Truncated {
			rep.Truncated = append(rep.Truncated, p.Conv)
		}
		for _, s := range p.Skipped {
			rep.Skipped = append(rep.Skipped, Skip{What: r.Source + ": " + s.What, Reason: s.Reason})
		}
	}
	SortSteps(steps)
	for done := 0; done < len(steps) || len(aliases) > 0; {
		end := min(done+ImportBatch, len(steps))
		part, err := in.Apply(steps[done:end], aliases)
		if err != nil {
			return rep, malformed, fmt.Errorf("writing steps %d..%d: %w", done+1, end, err)
		}
		aliases = nil // the first batch records them, before any rating needs them
		rep.Add(part)
		done = end
		if progress != nil {
			progress(done, len(steps))
		}
	}
	rep.Legacy = in.LegacyKeys()
	return rep, malformed, nil
}
