package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Profile selects which rule set decides surveys.
type Profile uint8

// Rule profiles: the current Simple automation and the legacy Task Bot.
const (
	ProfileIntercom Profile = iota
	ProfileOperator
)

func (p Profile) String() string {
	if p == ProfileOperator {
		return "operator"
	}
	return "intercom"
}

// ParseProfile reads "intercom" or "operator".
func ParseProfile(s string) (Profile, error) {
	switch s {
	case "intercom":
		return ProfileIntercom, nil
	case "operator":
		return ProfileOperator, nil
	}
	return 0, fmt.Errorf("unknown profile %q: want intercom or operator", s)
}

// Audience is the type of a conversation's first customer; settings are kept per audience.
type Audience uint8

// Audiences.
const (
	AudienceUsers Audience = iota
	AudienceLeads
)

func (a Audience) String() string {
	if a == AudienceLeads {
		return "leads"
	}
	return "users"
}

// AudienceSettings are the Simple automation's settings for one audience.
type AudienceSettings struct {
	CSAT             bool
	DirectOutbound   bool
	WorkflowOutbound bool
	// RatingWindowHours and ChangeWindowHours are 0 when the window is off.
	RatingWindowHours int
	ChangeWindowHours int
	// SurveyApp is "" for the built-in CSAT app, else the Messenger app's name.
	SurveyApp string
}

// FollowUpThreshold is the highest rating value that enters the follow-up queue.
type FollowUpThreshold uint8

// Thresholds: negative (😠 only) or negative+bad (😠 and 🙁).
const (
	FollowUpNegative    FollowUpThreshold = 1
	FollowUpNegativeBad FollowUpThreshold = 2
)

// FollowUpThresholds lists every threshold, narrowest first.
var FollowUpThresholds = []FollowUpThreshold{FollowUpNegative, FollowUpNegativeBad}

func (t FollowUpThreshold) String() string {
	if t == FollowUpNegativeBad {
		return "negative+bad"
	}
	return "negative"
}

// Settings is the whole settings panel.
type Settings struct {
	Users, Leads AudienceSettings
	HideScores   bool
	// TargetPermille is the happiness target in tenths of a percent (800 = 80%),
	// so that 66.7% survives a round trip exactly.
	TargetPermille int
	FollowUp       FollowUpThreshold
	Profile        Profile
}

// DefaultSettings are the defaults of RULES.md.
func DefaultSettings() Settings {
	aud := AudienceSettings{CSAT: true, DirectOutbound: true}
	return Settings{Users: aud, Leads: aud, TargetPermille: 800, FollowUp: FollowUpNegative, Profile: ProfileIntercom}
}

// For returns the settings of one audience.
func (s *Settings) For(a Audience) *AudienceSettings {
	if a == AudienceLeads {
		return &s.Leads
	}
	return &s.Users
}

// RatingVisibleTo reports whether a viewer with role r sees ratings in the
// conversation stream. Reports, exports and the API ignore this.
func (s Settings) RatingVisibleTo(r Role) bool { return !s.HideScores || r == RoleAdmin }

// MaxWindowHours bounds the rating and change windows (one year).
const MaxWindowHours = 8760

// SettingKey names one setting as scripts and the CLI spell it: "users.csat",
// "leads.rating-window", "workspace.target".
type SettingKey struct {
	Scope string // users, leads or workspace
	Name  string
}

func (k SettingKey) String() string { return k.Scope + "." + k.Name }

// AudienceSettingNames and WorkspaceSettingNames list every setting, in panel order.
var (
	AudienceSettingNames  = []string{"csat", "direct-outbound", "workflow-outbound", "rating-window", "change-window", "survey-app"}
	WorkspaceSettingNames = []string{"hide-scores", "target", "followup", "profile"}
)

// AllSettingKeys lists every setting key in panel order.
func AllSettingKeys() []SettingKey {
	var keys []SettingKey
	for _, scope := range []string{"users", "leads"} {
		for _, n := range AudienceSettingNames {
			keys = append(keys, SettingKey{scope, n})
		}
	}
	for _, n := range WorkspaceSettingNames {
		keys = append(keys, SettingKey{"workspace", n})
	}
	return keys
}

// ParseSettingKey reads "scope.name".
func ParseSettingKey(s string) (SettingKey, error) {
	scope, name, ok := strings.Cut(s, ".")
	if !ok {
		return SettingKey{}, fmt.Errorf("setting %q: want SCOPE.NAME, e.g. users.csat", s)
	}
	k := SettingKey{scope, name}
	return k, k.check()
}

func (k SettingKey) check() error {
	var names []string
	switch k.Scope {
	case "users", "leads":
		names = AudienceSettingNames
	case "workspace":
		names = WorkspaceSettingNames
	default:
		return fmt.Errorf("unknown settings scope %q: want users, leads or workspace", k.Scope)
	}
	for _, n := range names {
		if n == k.Name {
			return nil
		}
	}
	return fmt.Errorf("unknown setting %q for %s: want one of %s", k.Name, k.Scope, strings.Join(names, ", "))
}

// Get returns the setting's value in the spelling Set accepts.
func (s Settings) Get(k SettingKey) string {
	if k.Scope == "workspace" {
		switch k.Name {
		case "hide-scores":
			return onOff(s.HideScores)
		case "target":
			return FormatPermille(s.TargetPermille)
		case "followup":
			return s.FollowUp.String()
		case "profile":
			return s.Profile.String()
		}
		return ""
	}
	a := s.Users
	if k.Scope == "leads" {
		a = s.Leads
	}
	switch k.Name {
	case "csat":
		return onOff(a.CSAT)
	case "direct-outbound":
		return onOff(a.DirectOutbound)
	case "workflow-outbound":
		return onOff(a.WorkflowOutbound)
	case "rating-window":
		return hoursOrOff(a.RatingWindowHours)
	case "change-window":
		return hoursOrOff(a.ChangeWindowHours)
	case "survey-app":
		if a.SurveyApp == "" {
			return "builtin"
		}
		return "messenger:" + a.SurveyApp
	}
	return ""
}

// Set validates value for key and stores it. On error s is unchanged.
func (s *Settings) Set(k SettingKey, value string) error {
	if err := k.check(); err != nil {
		return err
	}
	bad := func(want string) error {
		return fmt.Errorf("%s: invalid value %q: want %s", k, value, want)
	}
	if k.Scope == "workspace" {
		return s.setWorkspace(k.Name, value, bad)
	}
	a := s.For(AudienceUsers)
	if k.Scope == "leads" {
		a = s.For(AudienceLeads)
	}
	return a.set(k, value, bad)
}

// setWorkspace sets a workspace-wide setting.
func (s *Settings) setWorkspace(name, value string, bad func(want string) error) error {
	switch name {
	case "hide-scores":
		b, ok := parseOnOff(value)
		if !ok {
			return bad("on or off")
		}
		s.HideScores = b
	case "target":
		p, err := ParsePermille(value)
		if err != nil {
			return bad("a percentage from 0 to 100, e.g. 85 or 85%")
		}
		s.TargetPermille = p
	case "followup":
		switch value {
		case "negative":
			s.FollowUp = FollowUpNegative
		case "negative+bad":
			s.FollowUp = FollowUpNegativeBad
		default:
			return bad("negative or negative+bad")
		}
	case "profile":
		p, err := ParseProfile(value)
		if err != nil {
			return bad("intercom or operator")
		}
		s.Profile = p
	}
	return nil
}

// set sets one audience's setting.
func (a *AudienceSettings) set(k SettingKey, value string, bad func(want string) error) error {
	switch k.Name {
	case "csat", "direct-outbound", "workflow-outbound":
		b, ok := parseOnOff(value)
		if !ok {
			return bad("on or off")
		}
		switch k.Name {
		case "csat":
			a.CSAT = b
		case "direct-outbound":
			a.DirectOutbound = b
		default:
			a.WorkflowOutbound = b
		}
	case "rating-window", "change-window":
		h, err := ParseWindowHours(value)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if k.Name == "rating-window" {
			a.RatingWindowHours = h
		} else {
			a.ChangeWindowHours = h
		}
	case "survey-app":
		switch {
		case value == "builtin":
			a.SurveyApp = ""
		case strings.HasPrefix(value, "messenger:") && ValidName(strings.TrimPrefix(value, "messenger:")):
			a.SurveyApp = strings.TrimPrefix(value, "messenger:")
		case strings.HasPrefix(value, "inbox:"):
			return fmt.Errorf("%s: %q is an Inbox app; only Messenger apps can carry a survey", k, value)
		default:
			return bad("builtin or messenger:NAME")
		}
	}
	return nil
}

// ParseWindowHours reads a window: "off" (0) or whole hours 1..8760.
func ParseWindowHours(value string) (int, error) {
	if value == "off" {
		return 0, nil
	}
	h, err := strconv.Atoi(strings.TrimSuffix(value, "h"))
	if err != nil || h < 1 || h > MaxWindowHours {
		return 0, fmt.Errorf("invalid hours %q: want a whole number from 1 to %d, or off", value, MaxWindowHours)
	}
	return h, nil
}

// ParsePermille reads a percentage ("85", "85%", "66.7%") as tenths of a percent.
func ParsePermille(value string) (int, error) {
	v := strings.TrimSuffix(value, "%")
	f, err := strconv.ParseFloat(v, 64)
	// !(0 ≤ f ≤ 100) and not f < 0 || f > 100: ParseFloat reads "nAn" as
	// NaN, which every comparison is false for.
	if err != nil || !(f >= 0 && f <= 100) || v == "" || strings.ContainsAny(v, "eEx") {
		return 0, fmt.Errorf("invalid percentage %q", value)
	}
	return int(f*10 + 0.5), nil
}

// FormatPermille prints tenths of a percent as "80%" or "66.7%".
func FormatPermille(p int) string {
	if p%10 == 0 {
		return strconv.Itoa(p/10) + "%"
	}
	return strconv.Itoa(p/10) + "." + strconv.Itoa(p%10) + "%"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func parseOnOff(v string) (bool, bool) {
	switch v {
	case "on":
		return true, true
	case "off":
		return false, true
	}
	return false, false
}

func hoursOrOff(h int) string {
	if h == 0 {
		return "off"
	}
	return strconv.Itoa(h)
}
