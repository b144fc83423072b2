package intercom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// maxUnix bounds timestamps to year 9999, so a typo cannot overflow time math.
const maxUnix = 253402300799

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// decode unmarshals data into v and, on failure, names the JSON field or
// the byte offset that is wrong.
func decode(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("field %s: cannot use %s", field, te.Value)
	case errors.As(err, &se):
		line, col := position(data, se.Offset)
		return fmt.Errorf("malformed JSON at line %d column %d: %s", line, col, se.Error())
	}
	return fmt.Errorf("malformed JSON: %v", err)
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	col = int(off) - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// Notification is a webhook envelope: {"type":"notification_event","id":…,
// "topic":…,"created_at":…,"data":{"item":{…}}}.
type Notification struct {
	Type      string    `json:"type"`
	ID        string    `json:"id"`
	Topic     string    `json:"topic"`
	CreatedAt Timestamp `json:"created_at"`
	Data      struct {
		Item json.RawMessage `json:"item"`
	} `json:"data"`
}

// Conversation is a conversation as the REST API and webhooks return it.
// Only the fields the mapping reads are declared.
type Conversation struct {
	Type      string    `json:"type"`
	ID        FlexID    `json:"id"`
	CreatedAt Timestamp `json:"created_at"`
	UpdatedAt Timestamp `json:"updated_at"`
	State     string    `json:"state"`
	Source    *Source   `json:"source"`
	Contacts  *struct {
		Contacts []Ref `json:"contacts"`
	} `json:"contacts"`
	// Customers and User are the API v1 spelling of the contacts.
	Customers []Ref     `json:"customers"`
	User      *Ref      `json:"user"`
	Parts     *PartList `json:"conversation_parts"`
	Rating    *Rating   `json:"conversation_rating"`
	// ConversationMessage is the API v1 spelling of the source.
	ConversationMessage *Source `json:"conversation_message"`
	// AIAgent is Fin's part in the conversation, with its own rating.
	AIAgent             *AIAgent `json:"ai_agent"`
	AIAgentParticipated bool     `json:"ai_agent_participated"`
	// SnoozedUntil is when a snoozed conversation wakes.
	SnoozedUntil Timestamp `json:"snoozed_until"`
	// TeamAssignee is the team the conversation is assigned to
	// (team_assignee_id: an integer, a string in some shapes, null or "0"
	// for none).
	TeamAssignee OptionalID `json:"team_assignee_id"`
}

// OptionalID is an id field that may be absent, which says nothing, or
// null, which says "none".
type OptionalID struct {
	ID  FlexID
	Set bool // the field was in the payload, null included
}

// UnmarshalJSON reads the id as FlexID does; encoding/json calls it for
// null too, so a null field is Set with no ID.
func (o *OptionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	return o.ID.UnmarshalJSON(b)
}

// MarshalJSON writes the id as a string, or null for none.
func (o OptionalID) MarshalJSON() ([]byte, error) {
	if o.ID == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(o.ID))
}

// Source is the message that started the conversation.
type Source struct {
	Type        string `json:"type"`
	ID          FlexID `json:"id"`
	DeliveredAs string `json:"delivered_as"`
	Body        string `json:"body"`
	Author      *Ref   `json:"author"`
}

// PartList wraps the conversation's parts.
type PartList struct {
	Parts []Part `json:"conversation_parts"`
	// TotalCount is the number of parts the conversation has; the API
	// lists at most 500, so more than listed means the list is cut.
	TotalCount int `json:"total_count"`
}

// AIAgent is the conversation's ai_agent object: Fin's involvement and the
// rating the customer gave Fin.
type AIAgent struct {
	Rating       *int      `json:"rating"`
	RatingRemark string    `json:"rating_remark"`
	CreatedAt    Timestamp `json:"created_at"`
	UpdatedAt    Timestamp `json:"updated_at"`
}

// Part is one conversation part: a comment, note, close, open, snooze…
type Part struct {
	ID        FlexID    `json:"id"`
	PartType  string    `json:"part_type"`
	Body      string    `json:"body"`
	CreatedAt Timestamp `json:"created_at"`
	Author    *Ref      `json:"author"`
}

// Ref names a contact, admin, bot or team: {"type":"admin","id":"12","name":…}.
type Ref struct {
	Type  string `json:"type"`
	ID    FlexID `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Role is the contact's role ("user" or "lead") where the API gives it.
	Role string `json:"role"`
	// FromAIAgent and IsAIAnswer mark a part Fin wrote.
	FromAIAgent bool `json:"from_ai_agent"`
	IsAIAnswer  bool `json:"is_ai_answer"`
}

// Rating is conversation_rating in both shapes: v2 (contact, teammate,
// created_at, updated_at) and v1 (customer with type user|lead).
type Rating struct {
	Rating    *int      `json:"rating"`
	Remark    string    `json:"remark"`
	CreatedAt Timestamp `json:"created_at"`
	UpdatedAt Timestamp `json:"updated_at"`
	Contact   *Ref      `json:"contact"`
	Customer  *Ref      `json:"customer"`
	Teammate  *Ref      `json:"teammate"`
	// RequestedAt is when Intercom sent the survey, where an export gives
	// it: a request known apart from its answer.
	RequestedAt Timestamp `json:"requested_at"`
}

// Timestamp is a Unix time in seconds; the API sends numbers, some exports strings.
type Timestamp int64

// UnmarshalJSON accepts 1663597223, "1663597223" and null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*t = 0
		return nil
	}
	s := string(bytes.Trim(b, `"`))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "value " + clip(b) + " (want a Unix time in seconds)", Type: reflect.TypeFor[Timestamp]()}
	}
	if n < 0 || n > maxUnix {
		return &json.UnmarshalTypeError{Value: "time " + s + " (out of range)", Type: reflect.TypeFor[Timestamp]()}
	}
	*t = Timestamp(n)
	return nil
}

// Time converts to UTC; the zero Timestamp is the zero time.
func (t Timestamp) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).UTC()
}

// FlexID is an id the API sends as a string or a number.
type FlexID string

// UnmarshalJSON accepts "123", 123 and null.
func (f *FlexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return &json.UnmarshalTypeError{Value: "value " + clip(b), Type: reflect.TypeFor[FlexID]()}
		}
		*f = FlexID(s)
	default:
		if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
			return &json.UnmarshalTypeError{Value: "value " + clip(b) + " (want a string or integer id)", Type: reflect.TypeFor[FlexID]()}
		}
		*f = FlexID(b)
	}
	return nil
}
