package domain

import "time"

// MarkEvent returns a bookkeeping mark: which external delivery keys a
// batch carried (Intercom notification ids, part ids, ...). It changes no
// rule state, only moves the clock to at, like a clock event. It is written
// in the same batch as the events the keys stand for, so the log says
// exactly which deliveries were applied. source must not be empty.
func MarkEvent(source string, keys []string, at time.Time) Event {
	return Event{Kind: EvMark, At: at, By: source, Keys: keys}
}

// MarkKeys reads a mark event back: its source and keys. ok is false for
// any other event.
func (ev Event) MarkKeys() (source string, keys []string, ok bool) {
	if ev.Kind != EvMark {
		return "", nil, false
	}
	return ev.By, ev.Keys, true
}
