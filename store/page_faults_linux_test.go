package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/dgraph-io/ristretto/v2/z"
	"golang.org/x/sys/unix"
)

// A table builder's buffer from z.Calloc is written whole, page by page:
// with transparent huge pages (third_party/ristretto/CSAT.md) writing
// 8 MiB of it costs a few faults, not one for each of its 2,048 small
// pages.
func TestCallocLargeBufferFaultsInHugePages(t *testing.T) {
	thp, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || strings.Contains(string(thp), "[never]") {
		t.Skip("no transparent huge pages on this system")
	}
	runtime.LockOSThread() // minor faults are counted for the thread
	defer runtime.UnlockOSThread()
	buf := z.Calloc(8<<20, "test")
	defer z.Free(buf)
	before := threadMinorFaults(t)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	faults := threadMinorFaults(t) - before
	if faults > 64 {
		t.Fatalf("writing 8 MiB of a Calloc buffer took %d faults; huge pages take at most a few", faults)
	}
}

// Badger copies each new table into a mapping of its new file
// (table.CreateTable); z.PopulateWrite maps all of it first in one call,
// so the copy's 1,024 pages of a 4 MiB table cost no fault each.
func TestPopulatedTableMappingTakesWritesWithoutFaults(t *testing.T) {
	probe, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Madvise(probe, unix.MADV_POPULATE_WRITE); errors.Is(err, unix.EINVAL) {
		t.Skip("the kernel has no MADV_POPULATE_WRITE")
	}
	_ = unix.Munmap(probe)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mf, err := z.OpenMmapFile(filepath.Join(t.TempDir(), "000001.sst"), os.O_CREATE|os.O_RDWR|os.O_EXCL, 4<<20)
	if !errors.Is(err, z.NewFile) {
		t.Fatalf("creating the file: %v", err)
	}
	defer mf.Delete()
	z.PopulateWrite(mf.Data)
	before := threadMinorFaults(t)
	for i := 0; i < len(mf.Data); i += 4096 {
		mf.Data[i] = 1
	}
	if faults := threadMinorFaults(t) - before; faults > 16 {
		t.Fatalf("writing a populated 4 MiB mapping took %d faults", faults)
	}
}

func threadMinorFaults(t *testing.T) int64 {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Minflt
}
