package main

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
)

// grepFiles is the script command `grepfiles DIR TEXT`: some file under
// DIR holds TEXT in its raw bytes (negated: none does, the erasure check).
func grepFiles(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: grepfiles DIR TEXT")
	}
	var holders []string
	err := filepath.WalkDir(ts.MkAbs(args[0]), func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(args[1])) {
			holders = append(holders, path)
		}
		return err
	})
	ts.Check(err)
	switch {
	case neg && len(holders) > 0:
		ts.Fatalf("%q is in %v", args[1], holders)
	case !neg && len(holders) == 0:
		ts.Fatalf("no file under %s holds %q", args[0], args[1])
	}
}
