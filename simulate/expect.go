package simulate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/csat-app/csat/domain"
)

// ExpectKind says what an expectation checks.
type ExpectKind uint8

// Expectations of SCENARIOS.md.
const (
	ExpectSent     ExpectKind = iota + 1 // the previous close or ask sent a survey
	ExpectSkipped                        // the previous close or ask sent none
	ExpectAccepted                       // the previous rate or comment was recorded
	ExpectRefused                        // the previous rate or comment was refused
	ExpectRating                         // a slot's stored rating
	ExpectScore                          // an agent's or the team's all-time score
	ExpectRatings                        // how many ratings an agent or the team has
	ExpectQueue                          // open items in the follow-up queue
)

// Expectation is one expect command.
type Expectation struct {
	Kind ExpectKind
	// Agent is the agent named (sent to, rating, score, ratings); zero with Team false when none was.
	Agent domain.Actor
	// Team is set when score or ratings name the team row.
	Team bool
	// Conv is the conversation of a rating expectation.
	Conv string
	// Codes are the reasons a skipped or refused outcome must include.
	Codes []domain.Code
	// None is set for "rating … none" and "score … none".
	None bool
	// Count is the rating value, the number of ratings, or the queue length.
	Count int
	// Percent is a score scaled by 10^Decimals: 66.7% is 667 with Decimals 1.
	Percent  int64
	Decimals int
	// Source is the expectation as written, after "expect".
	Source string
}

// maxDecimals bounds a score's precision, which keeps the comparison in int64.
const maxDecimals = 4

func (p *lineParser) expect(cmd *Command) *lexError {
	kt, err := p.word("what to expect (sent, skipped, accepted, refused, rating, score, ratings or queue)")
	if err != nil {
		return err
	}
	e := &Expectation{}
	switch kt.Text {
	case "sent", "skipped":
		err = p.expectSurvey(kt, e)
	case "accepted", "refused":
		if !p.st.responseCmd {
			return errAt(kt.Col, "expect %s: no rate or comment came before it", kt.Text)
		}
		e.Kind = ExpectAccepted
		if kt.Text == "refused" {
			e.Kind = ExpectRefused
			err = p.codes(e)
		}
	case "rating":
		err = p.expectRating(cmd, e)
	case "score", "ratings":
		err = p.expectTally(kt, e)
	case "queue":
		e.Kind = ExpectQueue
		vt, verr := p.word("number of open items")
		if verr != nil {
			return verr
		}
		e.Count, err = p.count(vt)
	default:
		return errAt(kt.Col, "unknown expectation %q: want sent, skipped, accepted, refused, rating, score, ratings or queue", kt.Text)
	}
	if err != nil {
		return err
	}
	cmd.Expect = e
	cmd.cols.value = kt.Col
	var src []string
	for _, t := range p.toks[1:] {
		src = append(src, t.Text)
	}
	e.Source = strings.Join(src, " ")
	return nil
}

// expectSurvey reads "sent [to AGENT]" or "skipped [CODE…]".
func (p *lineParser) expectSurvey(kt token, e *Expectation) *lexError {
	if !p.st.surveyCmd {
		return errAt(kt.Col, "expect %s: no close or ask came before it", kt.Text)
	}
	e.Kind = ExpectSent
	if kt.Text == "skipped" {
		e.Kind = ExpectSkipped
		return p.codes(e)
	}
	if !p.more() {
		return nil
	}
	to, terr := p.word("to")
	if terr != nil || to.Text != "to" {
		return errAt(to.Col, "unexpected %s: only to AGENT may follow sent", quoteTok(to))
	}
	var err *lexError
	e.Agent, _, err = p.actor("addressee", isAgent, wantAgent)
	return err
}

// expectRating reads "rating CONV AGENT 1..5|none".
func (p *lineParser) expectRating(cmd *Command, e *Expectation) *lexError {
	e.Kind = ExpectRating
	ct, err := p.conv()
	if err != nil {
		return err
	}
	e.Conv, cmd.cols.conv = ct.Text, ct.Col
	if e.Agent, _, err = p.actor("rated agent", isAgent, wantAgent); err != nil {
		return err
	}
	vt, err := p.word("rating (1 to 5, or none)")
	if err != nil {
		return err
	}
	if vt.Text == "none" {
		e.None = true
		return nil
	}
	v, perr := strconv.Atoi(vt.Text)
	if perr != nil || v < 1 || v > 5 {
		return errAt(vt.Col, "expected rating %q: want 1 to 5, or none", vt.Text)
	}
	e.Count = v
	return nil
}

// expectTally reads "score AGENT|team PERCENT|none" or "ratings AGENT|team N".
func (p *lineParser) expectTally(kt token, e *Expectation) *lexError {
	e.Kind = ExpectScore
	if kt.Text == "ratings" {
		e.Kind = ExpectRatings
	}
	if err := p.agentOrTeam(e); err != nil {
		return err
	}
	vt, err := p.word("value")
	if err != nil {
		return err
	}
	switch {
	case e.Kind == ExpectRatings:
		e.Count, err = p.count(vt)
	case vt.Text == "none":
		e.None = true
	default:
		err = parsePercent(vt, e)
	}
	return err
}

// codes reads the reason codes that end a skipped or refused expectation.
func (p *lineParser) codes(e *Expectation) *lexError {
	for p.more() {
		t, err := p.word("reason code")
		if err != nil {
			return err
		}
		c, ok := domain.ParseCode(t.Text)
		if !ok {
			return errAt(t.Col, "unknown reason code %q (RULES.md lists them)", t.Text)
		}
		e.Codes = append(e.Codes, c)
	}
	return nil
}

func (p *lineParser) agentOrTeam(e *Expectation) *lexError {
	if p.more() && !p.peek().Quoted && p.peek().Text == "team" {
		p.i++
		e.Team = true
		return nil
	}
	var err *lexError
	e.Agent, _, err = p.actor("agent (or team)", isAgent, wantAgent+", or team")
	return err
}

func (p *lineParser) count(t token) (int, *lexError) {
	n, err := strconv.Atoi(t.Text)
	if err != nil || n < 0 {
		return 0, errAt(t.Col, "want a count (0 or more), not %q", t.Text)
	}
	return n, nil
}

// parsePercent reads "40%", "66.7%" or "40", keeping the precision written.
func parsePercent(t token, e *Expectation) *lexError {
	s := strings.TrimSuffix(t.Text, "%")
	whole, frac, _ := strings.Cut(s, ".")
	bad := errAt(t.Col, "bad score %q: want a percentage such as 40%% or 66.7%%, or none", t.Text)
	if whole == "" || !allDigits(whole) || !allDigits(frac) || strings.Contains(t.Text, ".") && frac == "" {
		return bad
	}
	if len(frac) > maxDecimals {
		return errAt(t.Col, "score %q: at most %d decimals", t.Text, maxDecimals)
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > 100*pow10(len(frac)) {
		return bad
	}
	e.Percent, e.Decimals = n, len(frac)
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// check evaluates e against the backend and the last outcomes. A script
// error (an unknown conversation) is returned as err; a failed expectation
// as ok false with the value found.
func (e *Expectation) check(b Backend, lastSurvey, lastResponse *domain.Outcome) (ok bool, got string, err error) {
	switch e.Kind {
	case ExpectSent, ExpectSkipped:
		return e.checkDecision(lastSurvey, domain.DecisionSent, domain.DecisionSkipped)
	case ExpectAccepted, ExpectRefused:
		return e.checkDecision(lastResponse, domain.DecisionAccepted, domain.DecisionRefused)
	case ExpectRating:
		c, found := b.Conversation(e.Conv)
		if !found {
			return false, "", fmt.Errorf("%w: %q", domain.ErrUnknownConversation, e.Conv)
		}
		v := 0
		if s := c.Slot(e.Agent); s != nil {
			v = s.Value
		}
		if v == 0 {
			return e.None, "none", nil
		}
		return !e.None && v == e.Count, strconv.Itoa(v), nil
	case ExpectScore:
		c := e.counts(b)
		v, has := domain.PercentOf(c.Positive(), c.Rated(), e.Decimals)
		if !has {
			return e.None, "none", nil
		}
		return !e.None && v == e.Percent, domain.FormatScaledPercent(v, e.Decimals), nil
	case ExpectRatings:
		n := e.counts(b).Rated()
		return n == e.Count, strconv.Itoa(n), nil
	case ExpectQueue:
		n := b.OpenFollowUps()
		return n == e.Count, strconv.Itoa(n), nil
	}
	return false, "", fmt.Errorf("unknown expectation")
}

func (e *Expectation) counts(b Backend) domain.Counts {
	if e.Team {
		return b.TeamAllTime()
	}
	return b.AllTime(e.Agent)
}

// checkDecision compares an outcome with sent/skipped or accepted/refused.
func (e *Expectation) checkDecision(o *domain.Outcome, yes, no domain.Decision) (bool, string, error) {
	if o == nil {
		return false, "", fmt.Errorf("expect %s: no command of that kind came before it", e.Source)
	}
	got := Describe(o)
	switch e.Kind {
	case ExpectSent:
		return o.Decision == yes && (e.Agent.IsZero() || o.To == e.Agent), got, nil
	case ExpectAccepted:
		return o.Decision == yes, got, nil
	}
	if o.Decision != no {
		return false, got, nil
	}
	for _, c := range e.Codes {
		if !o.Has(c) {
			return false, got, nil
		}
	}
	return true, got, nil
}
