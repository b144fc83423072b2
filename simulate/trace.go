package simulate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
)

// Step is one line of a run's trace: a command and what it did, or a snooze
// that ended while the clock moved.
type Step struct {
	File string
	Line int
	// At is the simulated time of the step.
	At time.Time
	// Cmd is the verb, or "wake" for a snooze that ended.
	Cmd  string
	Conv string
	// Display is the command as written (texts shortened).
	Display string
	// Outcome is set for commands that applied an event.
	Outcome *domain.Outcome
	// Expect is set for expect commands.
	Expect *ExpectResult
	// Note says something the outcome does not: "ignored: --profile operator".
	Note string
}

// ExpectResult is how an expectation fared.
type ExpectResult struct {
	OK bool
	// Message is "expected …, got …" when it failed.
	Message string
}

// Describe says what a decided outcome was, with every reason and its detail:
// "sent to bob", "skipped: too_short (212/250 chars), stale (8d 2h since last reply)".
func Describe(o *domain.Outcome) string {
	switch o.Decision {
	case domain.DecisionSent:
		return "sent to " + o.To.String()
	case domain.DecisionSkipped, domain.DecisionRefused:
		return o.Decision.String() + ": " + reasonList(o)
	case domain.DecisionAccepted:
		return "accepted"
	}
	return ""
}

func reasonList(o *domain.Outcome) string {
	var parts []string
	for _, c := range o.Reasons() {
		parts = append(parts, c.Code.String()+" ("+c.Detail()+")")
	}
	return strings.Join(parts, ", ")
}

// result is the part of a human trace line after the arrow.
func (s *Step) result() string {
	switch {
	case s.Expect != nil && s.Expect.OK:
		return "ok"
	case s.Expect != nil:
		return "FAILED: " + s.Expect.Message
	case s.Note != "":
		return s.Note
	case s.Outcome != nil && s.Outcome.Decided():
		return Describe(s.Outcome)
	case s.Outcome != nil && s.Outcome.Reopened:
		return "reopened"
	}
	return ""
}

// HumanTrace writes steps as readable lines, "09:14 close c1 by bob → sent to bob",
// with a date line whenever the day changes and a header per file when
// several files are run.
type HumanTrace struct {
	W io.Writer
	// Headers puts "== FILE ==" before each file's steps.
	Headers  bool
	lastFile string
	lastDay  string
}

// Step writes one step.
func (h *HumanTrace) Step(s Step) {
	if h.Headers && s.File != h.lastFile {
		if h.lastFile != "" {
			fmt.Fprintln(h.W)
		}
		fmt.Fprintf(h.W, "== %s ==\n", safetext.Line(s.File))
		h.lastDay = ""
	}
	h.lastFile = s.File
	if day := s.At.Format("Mon 2006-01-02"); day != h.lastDay {
		fmt.Fprintf(h.W, "── %s ──\n", day)
		h.lastDay = day
	}
	line := clockText(s.At) + " " + s.Display
	if r := s.result(); r != "" {
		line += " → " + r
	}
	fmt.Fprintln(h.W, safetext.Line(line))
}

// clockText is the time of day, with seconds only when there are some.
func clockText(t time.Time) string {
	if t.Second() != 0 {
		return t.Format("15:04:05")
	}
	return t.Format("15:04")
}

// JSONTrace writes one JSON object per step.
type JSONTrace struct {
	W io.Writer
}

// jsonStep is the --json shape of a step; field names are a public contract.
type jsonStep struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	At       string   `json:"at"`
	Cmd      string   `json:"cmd"`
	Conv     string   `json:"conv,omitempty"`
	Text     string   `json:"text"`
	Outcome  string   `json:"outcome,omitempty"`
	To       string   `json:"to,omitempty"`
	Reasons  []string `json:"reasons,omitempty"`
	Details  []string `json:"details,omitempty"`
	Reopened bool     `json:"reopened,omitempty"`
	OK       *bool    `json:"ok,omitempty"`
	Message  string   `json:"message,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// Step writes one step.
func (j *JSONTrace) Step(s Step) {
	js := jsonStep{File: s.File, Line: s.Line, At: s.At.Format(time.RFC3339), Cmd: s.Cmd, Conv: s.Conv, Text: s.Display, Note: s.Note}
	if o := s.Outcome; o != nil {
		js.Reopened = o.Reopened
		if o.Decided() {
			js.Outcome = o.Decision.String()
			if o.Decision == domain.DecisionSent {
				js.To = o.To.String()
			}
			for _, c := range o.Reasons() {
				js.Reasons = append(js.Reasons, c.Code.String())
				js.Details = append(js.Details, c.Detail())
			}
		}
	}
	if e := s.Expect; e != nil {
		ok := e.OK
		js.OK, js.Message = &ok, e.Message
	}
	b, err := json.Marshal(js)
	if err != nil { // cannot happen: every field is a plain string, number or bool
		b = []byte(`{"error":` + fmt.Sprintf("%q", err.Error()) + `}`)
	}
	b = append(b, '\n')
	j.W.Write(b) //nolint:errcheck // a broken pipe on stdout ends the run anyway
}
