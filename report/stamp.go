package report

import (
	"bytes"
	"time"
)

// Stamp is a moment on the wire: RFC 3339 in UTC to the second, or null
// (empty in CSV) when it never happened.
type Stamp time.Time

// Time is the moment; zero when it never happened.
func (s Stamp) Time() time.Time { return time.Time(s) }

// String is the RFC 3339 text, "" for the zero moment.
func (s Stamp) String() string {
	if s.Time().IsZero() {
		return ""
	}
	return s.Time().UTC().Format(time.RFC3339)
}

// MarshalJSON writes the RFC 3339 text or null.
func (s Stamp) MarshalJSON() ([]byte, error) {
	if s.Time().IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + s.String() + `"`), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Stamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*s = Stamp{}
		return nil
	}
	var t time.Time
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	*s = Stamp(t)
	return nil
}
