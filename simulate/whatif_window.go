package simulate

import "github.com/csat-app/csat/domain"

// WindowEvents calls yield for every event of a what-if window, in log
// order, until yield returns an error, which it returns. last marks the
// last part of its conversation (domain.Event.PartOf) that the window
// holds: the what-if lets go of a conversation there, so it holds only
// those under way. late marks a part of a conversation the source knows
// has a part placed late (a store's y/ keys); the what-if finds any
// others itself. A WindowEvents may be read more than once.
type WindowEvents func(yield func(ev domain.Event, last, late bool) error) error

// lastParts reads events once to find each conversation's last part and
// those with a late part, and is then a WindowEvents over them that marks
// both.
func lastParts(events EventSource) WindowEvents {
	return func(yield func(domain.Event, bool, bool) error) error {
		left := map[string]int{} // parts of each conversation still to come
		late := domain.NewLateFinder()
		err := events(func(ev domain.Event) error {
			if c := ev.PartOf(); c != "" {
				left[c]++
				late.Late(ev)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return events(func(ev domain.Event) error {
			c := ev.PartOf()
			if c != "" {
				left[c]--
			}
			return yield(ev, c != "" && left[c] == 0, late.Conversations[c])
		})
	}
}

// lateIn lists the conversations of events with a late part (as
// domain.LateConversations does), forgetting each at its last part, and
// those events marks late.
func lateIn(events WindowEvents) (map[string]bool, error) {
	f := domain.NewLateFinder()
	err := events(func(ev domain.Event, last, late bool) error {
		f.Late(ev)
		if late && ev.PartOf() != "" {
			f.Conversations[ev.Conv] = true
		}
		if last && ev.PartOf() != "" {
			f.Forget(ev.Conv)
		}
		return nil
	})
	return f.Conversations, err
}
