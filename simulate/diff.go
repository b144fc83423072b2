package simulate

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/csat-app/csat/domain"
)

// Difference is a command whose outcome depends on the rule profile.
type Difference struct {
	Line     int
	Command  string
	Intercom string // Describe of the outcome under intercom
	Operator string
}

// Diff runs s in memory under each profile (overriding the script's own
// profile commands) and returns the decided commands whose outcomes differ,
// in script order. Failed expectations are ignored: they are expected to
// differ. A script error under either profile is returned.
func Diff(s *Script) ([]Difference, error) {
	outcomes := func(p domain.Profile) (map[int]string, error) {
		got := map[int]string{}
		_, err := Run(s, NewMemory(), Options{Profile: &p, OnStep: func(st Step) {
			if st.Outcome != nil && st.Outcome.Decided() {
				got[st.Line] = Describe(st.Outcome)
			}
		}})
		return got, err
	}
	in, err := outcomes(domain.ProfileIntercom)
	if err != nil {
		return nil, err
	}
	op, err := outcomes(domain.ProfileOperator)
	if err != nil {
		return nil, err
	}
	var diffs []Difference
	for _, c := range s.Commands {
		a, aok := in[c.Line]
		b, bok := op[c.Line]
		if (aok || bok) && a != b {
			diffs = append(diffs, Difference{Line: c.Line, Command: c.Display, Intercom: a, Operator: b})
		}
	}
	return diffs, nil
}

// WriteDiff prints differences as a table, or says there are none.
func WriteDiff(w io.Writer, name string, diffs []Difference) error {
	if len(diffs) == 0 {
		_, err := fmt.Fprintf(w, "%s: every outcome is the same under intercom and operator\n", name)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tCOMMAND\tINTERCOM\tOPERATOR")
	for _, d := range diffs {
		fmt.Fprintf(tw, "%s:%d\t%s\t%s\t%s\n", name, d.Line, d.Command, d.Intercom, d.Operator)
	}
	return tw.Flush()
}
