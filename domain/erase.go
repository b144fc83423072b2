package domain

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// RedactedRune stands in for every code point of erased text.
const RedactedRune = '░'

// ErrUnknownCustomer says an erasure names a customer who is in no
// conversation.
var ErrUnknownCustomer = errors.New("unknown customer")

// Redact returns the placeholder that replaces erased text: one
// RedactedRune per code point (an invalid byte counts as one, as it does
// for the length rule). The rules read only two things of a text, its
// length in code points (too_short) and whether it is empty (a remark
// locks a rating, a note updates a follow-up), and Redact keeps both: a
// log whose texts were redacted replays to the same decisions, counts and
// scores. Redacting twice changes nothing more.
func Redact(text string) string {
	return strings.Repeat(string(RedactedRune), utf8.RuneCountInString(text))
}

// IsRedacted reports whether text is already a placeholder (or empty):
// nothing of it is left to erase.
func IsRedacted(text string) bool { return text == Redact(text) }

// Erasure asks to forget the text of one conversation, or of every
// conversation of one customer ("right to be forgotten"): messages, notes,
// remarks and follow-up notes become [Redact] placeholders. Ids, times,
// values and everything counted stay.
type Erasure struct {
	// Conversation, or else Customer, names what to forget. Customer is a
	// contact name as the store keys it: user:NAME or lead:NAME, or a bare
	// NAME for both (one Intercom contact is either).
	Conversation string
	Customer     string
	By           string    // who asked: a teammate, an account, a feed
	At           time.Time // when it was asked (wall time, for the audit trail)
	// Extra are bookkeeping events (MarkEvent) committed together with the
	// erasure's record, e.g. the notification that asked for it.
	Extra []Event
}

// Erased says what an erasure did.
type Erased struct {
	Conversations []string // the conversations whose text was forgotten
	Events        int      // events whose text was replaced
	Seq           uint64   // the log sequence number of the erasure's record
}
