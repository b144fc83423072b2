package domain

import "time"

// WindowState is whether a customer can still rate or change the rating of a
// slot, and if not, which rule closed it.
type WindowState uint8

// Window states. The closed ones name the rule, as the reason codes do.
const (
	WindowOpen          WindowState = iota // open for good: no window applies
	WindowOpenUntil                        // open until the deadline
	WindowRatingClosed                     // unrated, and the rating window has closed
	WindowChangeClosed                     // rated, and the change window has closed
	WindowLockedComment                    // a comment was left: the rating is final
)

var windowStateNames = [...]string{"open", "open_until", "rating_window_closed", "change_window_closed", "locked_by_comment"}

func (s WindowState) String() string {
	if int(s) < len(windowStateNames) {
		return windowStateNames[s]
	}
	return "?"
}

// SlotWindow is a slot's window state at a moment. Until is the deadline of
// the window that applies (when it closes, or when it closed); zero when no
// window limits the slot or a comment locked it.
type SlotWindow struct {
	State WindowState
	Until time.Time
}

// Open reports whether a rate (or a change of the rating) would be accepted
// as far as the windows and the comment lock go.
func (w SlotWindow) Open() bool { return w.State == WindowOpen || w.State == WindowOpenUntil }

// Reason is the reason code a rate would be refused with, or 0 while open.
func (w SlotWindow) Reason() Code {
	switch w.State {
	case WindowRatingClosed:
		return CodeRatingWindowClosed
	case WindowChangeClosed:
		return CodeChangeWindowClosed
	case WindowLockedComment:
		return CodeLockedByComment
	}
	return 0
}

// Window is the window state of slot s of a conversation with audience aud
// at now: the rules decideRate applies, asked ahead of a rate. A comment
// locks a rated slot under both profiles; the rating and change windows are
// the intercom profile's.
func (st Settings) Window(aud Audience, s *Slot, now time.Time) SlotWindow {
	if s.Value != 0 && s.Commented {
		return SlotWindow{State: WindowLockedComment}
	}
	if st.Profile != ProfileIntercom {
		return SlotWindow{State: WindowOpen}
	}
	h, closed := st.For(aud).ChangeWindowHours, WindowChangeClosed
	if s.Value == 0 {
		h, closed = st.For(aud).RatingWindowHours, WindowRatingClosed
	}
	if h == 0 {
		return SlotWindow{State: WindowOpen}
	}
	until := s.LastRequestAt.Add(time.Duration(h) * time.Hour)
	if now.After(until) {
		return SlotWindow{State: closed, Until: until}
	}
	return SlotWindow{State: WindowOpenUntil, Until: until}
}

// Window is [Settings.Window] at now, under the settings in force then.
func (w *Workspace) Window(c *Conversation, s *Slot, now time.Time) SlotWindow {
	return w.SettingsAt(now).Window(c.Audience, s, now)
}
