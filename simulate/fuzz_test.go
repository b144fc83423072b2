package simulate

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse: no input makes the parser or the runner panic, and every error
// names the file and a line that exists in the input.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/examples/*.csat")
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("start c1 user:ann\nsay c1 bob \"a\\\"b\\\\c 😀\"\nclose c1 bob\nexpect skipped too_short\n"))
	f.Add([]byte("wait 7d1s\nsnooze c1 bob 0s\nrate c1 user:x 3.5 for fin # note\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := strings.Count(string(src), "\n") + 1
		check := func(msg string) {
			for _, m := range strings.Split(msg, "\n") {
				rest, ok := strings.CutPrefix(m, "fuzz.csat:")
				if !ok {
					t.Fatalf("error does not start with the file name: %q", m)
				}
				num, _, _ := strings.Cut(rest, ":")
				n, err := strconv.Atoi(num)
				if err != nil || n < 1 || n > lines {
					t.Fatalf("error names line %q of a %d-line input: %q", num, lines, m)
				}
			}
		}
		s, err := Parse("fuzz.csat", src)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 || len(list) > maxErrors {
				t.Fatalf("want an ErrorList of 1..%d, got %T %v", maxErrors, err, err)
			}
			check(err.Error())
			return
		}
		if _, err := Run(s, NewMemory(), Options{OnStep: func(st Step) { _ = st.result() }}); err != nil {
			check(err.Error())
		}
	})
}
