package domain

import (
	"strings"
	"time"
)

// markPrefix starts the text of a mark event. The spelling is part of the
// log format: stores written since the first Intercom import hold it.
const markPrefix = "seen "

// MarkEvent returns a bookkeeping mark: which external delivery keys a
// batch carried (Intercom notification ids, part ids, ...); changes no
// rule state. It is a clock event at at by source whose text is
// "seen k1 k2 ...", written in the same batch as the events the keys stand
// for, so the log says exactly which deliveries were applied. Keys must not
// contain white space; source must not be empty.
func MarkEvent(source string, keys []string, at time.Time) Event {
	return Event{Kind: EvClock, At: at, By: source, Text: markPrefix + strings.Join(keys, " ")}
}

// MarkKeys reads a mark event back: its source and keys. ok is false for
// any other event.
func (ev Event) MarkKeys() (source string, keys []string, ok bool) {
	if ev.Kind != EvClock || ev.By == "" || !strings.HasPrefix(ev.Text, markPrefix) {
		return "", nil, false
	}
	return ev.By, strings.Fields(ev.Text[len(markPrefix):]), true
}
