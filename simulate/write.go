package simulate

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
)

// SessionStep is one event a session applied and the outcome the rules gave it.
type SessionStep struct {
	Event   domain.Event
	Outcome domain.Outcome
}

// WriteScript writes steps as a scenario script (SCENARIOS.md) that
// `csat simulate run` replays with the same outcomes: every close, ask, rate
// and comment is followed by an expectation of what the rules decided.
// Steps with no script verb (roles, follow-up work) are kept as comments.
// On error nothing useful was written and the error names the step.
func WriteScript(w io.Writer, steps []SessionStep) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "# saved from the csat simulator")
	now := ScriptStart
	clocked := false
	for i, st := range steps {
		ev, o := st.Event, st.Outcome
		at := ev.At
		if at.IsZero() {
			at = now
		}
		if clocked && at.Before(now) {
			return fmt.Errorf("step %d (%s): time %s is before %s", i+1, ev.Kind, at.Format(time.RFC3339), now.Format(time.RFC3339))
		}
		if !clocked || at.After(now) {
			if !clocked {
				fmt.Fprintf(bw, "clock %s\n", at.UTC().Format(time.RFC3339Nano))
				clocked = true
			} else {
				fmt.Fprintf(bw, "wait %s\n", FormatDuration(at.Sub(now)))
			}
			now = at
		}
		line, err := scriptLine(ev, at)
		if err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, ev.Kind, err)
		}
		if line != "" {
			fmt.Fprintln(bw, line)
		}
		if exp := expectation(ev, &o); exp != "" {
			fmt.Fprintln(bw, exp)
		}
	}
	return bw.Flush()
}

func scriptLine(ev domain.Event, at time.Time) (string, error) {
	text := func() (string, error) { return Quote(ev.Text) }
	switch ev.Kind {
	case domain.EvClock, domain.EvMark: // a mark only moves the clock
		return "", nil
	case domain.EvStart:
		s := "start " + ev.Conv + " " + ev.Actor.String()
		if ev.Origin != domain.OriginInbound {
			s += " " + ev.Origin.String()
		}
		if ev.Origin == domain.OriginDirect {
			s += " by " + ev.Agent.Name
		}
		if ev.Channel != domain.ChannelMessenger {
			s += " channel " + ev.Channel.String()
		}
		return s, nil
	case domain.EvSay, domain.EvNote:
		q, err := text()
		if err != nil {
			return "", err
		}
		return ev.Kind.String() + " " + ev.Conv + " " + ev.Actor.String() + " " + q, nil
	case domain.EvAdd:
		return "add " + ev.Conv + " " + ev.Actor.String(), nil
	case domain.EvSnooze:
		d := ev.Until.Sub(at)
		if d <= 0 {
			return "", fmt.Errorf("snooze must end after %s", at.Format(time.RFC3339))
		}
		return "snooze " + ev.Conv + " " + ev.Actor.String() + " " + FormatDuration(d), nil
	case domain.EvClose, domain.EvReopen:
		return ev.Kind.String() + " " + ev.Conv + " " + ev.Actor.String(), nil
	case domain.EvAsk:
		return "ask " + ev.Conv, nil
	case domain.EvRate:
		return "rate " + ev.Conv + " " + ev.Actor.String() + " " + strconv.Itoa(ev.Value) + forAgent(ev.Agent), nil
	case domain.EvComment:
		q, err := text()
		if err != nil {
			return "", err
		}
		return "comment " + ev.Conv + " " + ev.Actor.String() + " " + q + forAgent(ev.Agent), nil
	case domain.EvSet:
		switch {
		case ev.Setting.Scope == "workspace" && ev.Setting.Name == "profile":
			return "profile " + ev.Text, nil
		case ev.Setting.Name == "survey-app":
			// The script language has no verb for it; it never changes a decision.
			return "# " + ev.Setting.String() + " = " + ev.Text + " (not scriptable)", nil
		}
		return "set " + ev.Setting.Scope + " " + ev.Setting.Name + " " + ev.Text, nil
	case domain.EvFollowUp:
		return "# follow-up " + ev.Conv + " " + ev.Agent.String() + " " + ev.Stage.String() + " by " + ev.By, nil
	case domain.EvRole:
		return "# role " + ev.By + " " + ev.Role.String(), nil
	case domain.EvTeam:
		// Teams never change a decision; the script language has no verb for them.
		return "# team " + ev.Conv + " " + ev.Agent.String() + " (not scriptable)", nil
	case domain.EvAssign:
		return "# assign " + ev.Conv + " to team " + quoteTeam(ev.Text) + " (not scriptable)", nil
	}
	return "", fmt.Errorf("event kind %d has no script verb", ev.Kind)
}

func quoteTeam(id string) string {
	if id == "" {
		return "(none)"
	}
	return id
}

func forAgent(a domain.Actor) string {
	if a.IsZero() {
		return ""
	}
	return " for " + a.String()
}

// expectation pins what the rules decided, so a replay proves the same outcome.
func expectation(ev domain.Event, o *domain.Outcome) string {
	switch ev.Kind {
	case domain.EvClose, domain.EvAsk:
		if o.Decision == domain.DecisionSent {
			return "expect sent to " + o.To.Name
		}
		return "expect skipped" + codes(o)
	case domain.EvRate, domain.EvComment:
		if o.Decision == domain.DecisionAccepted {
			return "expect accepted"
		}
		return "expect refused" + codes(o)
	}
	return ""
}

func codes(o *domain.Outcome) string {
	var b strings.Builder
	for _, c := range o.Reasons() {
		b.WriteString(" " + c.Code.String())
	}
	return b.String()
}

// Quote writes text in the script's double quotes with \" and \\ escapes.
// A line break cannot be written (the language has no escape for it).
func Quote(text string) (string, error) {
	if i := strings.IndexAny(text, "\n\r"); i >= 0 {
		return "", fmt.Errorf("text %q has a line break at byte %d, which a script cannot hold", text, i)
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(text) + `"`, nil
}

// FormatDuration prints a positive duration in the script's spelling: whole
// days as "Nd", the rest as a Go duration ("7d1s", "2h30m0s", "90s").
func FormatDuration(d time.Duration) string {
	day := 24 * time.Hour
	days := d / day
	rest := d % day
	switch {
	case days == 0:
		return rest.String()
	case rest == 0:
		return strconv.FormatInt(int64(days), 10) + "d"
	}
	return strconv.FormatInt(int64(days), 10) + "d" + rest.String()
}
