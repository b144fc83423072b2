package reliability

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// seeded makes a small store in dir and returns its ratings export, the
// report each fault must leave unchanged.
func seeded(t *testing.T, dir string) string {
	t.Helper()
	r := csat(t, "simulate", "load", "--data-dir", dir, "--teammates", "3", "--conversations", "200", "--days", "10", "--end", "2026-04-01")
	if r.code != 0 {
		t.Fatalf("seeding the store:\n%s", r)
	}
	return exportRatings(t, dir)
}

func exportRatings(t *testing.T, dir string) string {
	t.Helper()
	r := csat(t, "export", "ratings", "--data-dir", dir)
	if r.code != 0 {
		t.Fatalf("export ratings:\n%s", r)
	}
	return r.stdout
}

// unchanged requires check to pass and the ratings to be what they were.
func unchanged(t *testing.T, dir, before string) {
	t.Helper()
	checkStore(t, dir)
	if after := exportRatings(t, dir); after != before {
		t.Fatalf("the stored ratings changed: %d bytes before, %d after", len(before), len(after))
	}
}

// wantFailure requires a clear one-line-first error with the documented
// status and the given words.
func wantFailure(t *testing.T, r result, code int, words ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d:\n%s", r.code, code, r)
	}
	for _, w := range words {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
		}
	}
}

func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") != "" && os.Geteuid() == 0 {
			t.Fatalf("mount tmpfs as root failed: %v %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs here (%v %s): needs root", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestFaultSecondProcess: a second writer on a store in use is refused
// with exit 2 and a message naming the lock; the store is untouched.
func TestFaultSecondProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	before := seeded(t, dir)
	live := exec.Command(csatBinary(t), "simulate", "load", "--data-dir", dir, "--conversations", "0", "--live", "1")
	live.Env = cleanEnv()
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // the first process takes the lock
	r := csat(t, "import", "intercom", "--data-dir", dir, "../intercom/testdata/export_v1.jsonl")
	live.Process.Signal(os.Interrupt)
	live.Wait()
	wantFailure(t, r, 2, "in use by another csat process")
	checkStore(t, dir)
	if after := exportRatings(t, dir); !strings.HasPrefix(after, strings.SplitN(before, "\n", 2)[0]) {
		t.Fatalf("export header changed")
	}
}

// TestFaultNewerSchema: a store written by a newer csat is refused, not
// rewritten.
func TestFaultNewerSchema(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	seeded(t, dir)
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte("!schema"), binary.AppendUvarint(nil, 99))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check"}, {"export", "ratings"}, {"simulate", "load", "--conversations", "0", "--live", "1"}} {
		r := csat(t, append(args, "--data-dir", dir)...)
		if r.code == 0 {
			t.Fatalf("csat %v on a schema-99 store succeeded:\n%s", args, r)
		}
		if !strings.Contains(r.stderr, "schema") {
			t.Errorf("csat %v: the error does not name the schema:\n%s", args, r)
		}
	}
}

// TestFaultDamagedTable: a truncated table file gives a clear error and
// exit 2, never a panic.
func TestFaultDamagedTable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	seeded(t, dir)
	ssts, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(ssts) == 0 {
		t.Fatal("no table file to damage")
	}
	fi, _ := os.Stat(ssts[0])
	if err := os.Truncate(ssts[0], fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	r := csat(t, "check", "--data-dir", dir)
	wantFailure(t, r, 2, dir)
}

// TestFaultReadOnlyDir: a data directory on a read-only filesystem refuses
// writes with exit 2 naming the directory; reading still works.
func TestFaultReadOnlyDir(t *testing.T) {
	mnt := mountTmpfs(t, "64m")
	dir := filepath.Join(mnt, "data")
	before := seeded(t, dir)
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot remount read-only: %v %s", err, out)
	}
	r := csat(t, "simulate", "load", "--data-dir", dir, "--conversations", "0", "--live", "1")
	wantFailure(t, r, 2, "not writable")
	unchanged(t, dir, before)
}

// TestFaultFullDisk: writing until a small filesystem is full stops the
// writer with an error; everything committed before stays and check
// passes.
func TestFaultFullDisk(t *testing.T) {
	// The store refuses writes below a free-space margin (store/space.go), so
	// Badger never meets a full disk through its memory maps.
	mnt := mountTmpfs(t, "64m")
	dir := filepath.Join(mnt, "data")
	before := seeded(t, dir)
	// Leave 26 MiB: a live load starts, then runs into the 20 MiB margin.
	fill(t, filepath.Join(mnt, "filler"), freeBytes(t, mnt)-26<<20)
	r := csat(t, "simulate", "load", "--data-dir", dir, "--conversations", "0", "--live", "100000")
	if r.code == 0 || !strings.Contains(r.stderr, "disk full") {
		t.Fatalf("a load running into a full disk: want a 'disk full' error:\n%s", r)
	}
	n := checkStore(t, dir)
	after := exportRatings(t, dir)
	for _, line := range strings.Split(strings.TrimSpace(before), "\n") {
		if !strings.Contains(after, line+"\n") {
			t.Fatalf("a rating stored before the disk filled is gone or changed (%d events now): %s", n, line)
		}
	}
	// With the margin already gone, a writer is refused at once and changes nothing.
	fill(t, filepath.Join(mnt, "filler2"), freeBytes(t, mnt)-4<<20)
	r = csat(t, "simulate", "load", "--data-dir", dir, "--conversations", "0", "--live", "10")
	if r.code == 0 || !strings.Contains(r.stderr, "disk full") {
		t.Fatalf("a writer on a full disk: want a 'disk full' error:\n%s", r)
	}
	if got := checkStore(t, dir); got != n {
		t.Fatalf("a refused writer changed the log: %d events, was %d", got, n)
	}
}

func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

func fill(t *testing.T, path string, n int64) {
	t.Helper()
	if n <= 0 {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	for ; n > 0; n -= int64(len(chunk)) {
		if int64(len(chunk)) > n {
			chunk = chunk[:n]
		}
		if _, err := f.Write(chunk); err != nil {
			t.Fatalf("filling the disk: %v", err)
		}
	}
}

// knownBug skips a fault test that currently fails for a reason recorded in
// RELIABILITY.md, unless CSAT_KNOWN_BUGS=1 asks to see it fail.
func knownBug(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CSAT_KNOWN_BUGS") == "" {
		t.Skip("KNOWN BUG (RELIABILITY.md; CSAT_KNOWN_BUGS=1 runs it): " + what)
	}
}
